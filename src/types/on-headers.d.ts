// on-headers ships no types (express-session depends on it for the same hook).
declare module 'on-headers' {
  import type { ServerResponse } from 'node:http';
  export default function onHeaders(
    res: ServerResponse,
    listener: (this: ServerResponse) => void,
  ): void;
}
