/**
 * Test inputs read for the runs of their cases: read with the line reader of plain YAML and kept as the bytes Lua
 * receives, with the two fields that pick their health check. The worker reads them so (worker.ts), and the
 * in-process runner the same way (runner-host.ts).
 */
import { readPlainYaml } from './input-yaml.js';
import { encodeLuaValue } from './lua-vm.js';

/**
 * A test input as the worker read it: the bytes for Lua ({@link encodeLuaValue}) and the two fields that pick
 * its health check. The object itself stays in the worker (the host rebuilds it from the text when it needs more).
 */
export interface EncodedInput {
  apiVersion: unknown;
  kind: unknown;
  bytes: Uint8Array;
}

/**
 * Encodes a test input for the runs of its cases.
 * @throws Error as {@link encodeLuaValue}
 */
export function encodeInput(obj: Record<string, unknown>): EncodedInput {
  return { apiVersion: obj.apiVersion, kind: obj.kind, bytes: encodeLuaValue(obj) };
}

/**
 * Reads `text` with the line reader (`readPlainYaml(text, maxDepth)`) and encodes it; never throws.
 * @returns the encoded input, or undefined when the text must be read the exact way (the line reader refuses it,
 *   or it cannot be encoded: the exact reading then gives the error)
 */
export function readEncodedInput(text: string, maxDepth: number): EncodedInput | undefined {
  try {
    const obj = readPlainYaml(text, maxDepth);
    return obj && encodeInput(obj);
  } catch {
    return undefined;
  }
}
