/** The shapes of parsed YAML that both parsers (yaml-doc.ts, yaml-fast.ts) produce. */
import type { Node } from 'yaml';
import type { Position } from '../core/model.js';

/** A path into a YAML document: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** One parsed document with its plain value and position lookups. */
export interface YamlDoc {
  /** 0-based index of the document in its file. */
  index: number;
  /** The plain JavaScript value, or `undefined` for an empty document or one with errors. */
  value: unknown;
  /** True when the document had syntax or duplicate-key errors (its `value` is then not trusted). */
  broken: boolean;
  /** Position of the node at `path`, or of its nearest existing ancestor. */
  pos(path: YamlPath): Position;
  /** Position of the key of the pair at `path` (the last element must be a map key). */
  keyPos(path: YamlPath): Position;
  /** The raw node at `path`, for checks that need the YAML type (for example a string or a number). */
  node(path: YamlPath): Node | undefined;
  /** The text of the scalar at `path` as parsed, before type resolution (`1` for `1`, `x` for `"x"`); `undefined` when it is not a scalar. */
  scalarSource(path: YamlPath): string | undefined;
  /** True when the node at `path` is a mapping written there (an alias to a mapping is not). */
  isMap(path: YamlPath): boolean;
  /** Start line of the document. */
  startLine: number;
}
