/**
 * Preloaded into a server process (`--import`): records the URL of every module it resolves,
 * imported or required, and writes them to LOADED_MODULES_FILE, one a line, as the process exits.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    loaded.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => {
  writeFileSync(process.env.LOADED_MODULES_FILE!, [...loaded].join('\n'));
});
