import { createSocket } from 'node:dgram';
import dns2 from 'dns2';

const { Packet } = dns2;

export interface DnsServer {
  /** host:port, as pebble's -dnsserver and DNS_SERVERS take it. */
  address: string;
  /** Answers A 127.0.0.1 for `name`, or for every name under it when it starts with `*.`. */
  addHost(name: string): void;
  /** Sets the TXT record of `name` (replacing any); no values removes it. */
  setTxt(name: string, ...values: string[]): void;
  /** Every name asked so far, with its type ("A", "TXT"...), oldest first. */
  questions(): { name: string; type: string }[];
  stop(): Promise<void>;
}

const lower = (name: string) => name.toLowerCase().replace(/\.$/, '');

/**
 * A DNS server of the test's own on 127.0.0.1 (UDP, a free port): what an ACME server's validation
 * and a domain check look names up in. Names it was not told of get an empty answer. Answers are
 * small, so no resolver needs TCP.
 */
export async function startDnsServer(hosts: string[] = []): Promise<DnsServer> {
  const exact = new Set<string>();
  const wildcards = new Set<string>();
  const txt = new Map<string, string[]>();
  const asked: { name: string; type: string }[] = [];
  const knows = (name: string) =>
    exact.has(name) || [...wildcards].some((parent) => name.endsWith(`.${parent}`));

  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      for (const question of request.questions) {
        const name = lower(question.name);
        asked.push({ name, type: Packet.typeName(question.type) });
        if (question.type === Packet.TYPE.A && knows(name)) {
          response.answers.push(answer(question, { address: '127.0.0.1' }));
        }
        if (question.type === Packet.TYPE.TXT && txt.has(name)) {
          for (const value of txt.get(name)!) {
            response.answers.push(answer(question, { data: value }));
          }
        }
      }
      void send(response);
    },
  });
  const { udp } = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const dns: DnsServer = {
    address: `127.0.0.1:${udp!.port}`,
    addHost(name) {
      const n = lower(name);
      if (n.startsWith('*.')) wildcards.add(n.slice(2));
      else exact.add(n);
    },
    setTxt(name, ...values) {
      if (values.length === 0) txt.delete(lower(name));
      else txt.set(lower(name), values);
    },
    questions: () => [...asked],
    stop: () => server.close(),
  };
  for (const host of hosts) dns.addHost(host);
  return dns;
}

/** A record answering `question` (its name, type and class), kept by resolvers for a second. */
const answer = (question: dns2.Packet.Question, record: Partial<dns2.Packet.Resource>) =>
  Packet.createResourceFromQuestion(question, { ttl: 1, ...record });

/**
 * A UDP port on 127.0.0.1 that takes DNS questions and never answers: a resolver asking it times
 * out, as one asking a dead or filtered DNS server does.
 */
export async function startSilentDnsServer(): Promise<{ address: string; stop(): Promise<void> }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
