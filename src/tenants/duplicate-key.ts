import { visit, type JSONPath } from 'jsonc-parser';

/**
 * The path of the first key that appears twice in one object. JSON.parse keeps the last, an editor
 * changes the first: such a file would mean one thing to the server and another to its editor.
 */
export function duplicateKey(text: string): string | undefined {
  const open: Set<string>[] = [];
  let found: string | undefined;
  visit(text, {
    onObjectBegin: () => void open.push(new Set()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (property, _offset, _length, _line, _column, pathOf) => {
      const keys = open.at(-1)!;
      if (keys.has(property)) found ??= pathText([...pathOf(), property]);
      keys.add(property);
    },
  });
  return found;
}

const pathText = (path: JSONPath) =>
  path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
