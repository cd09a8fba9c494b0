/**
 * Validation against the official SARIF 2.1.0 JSON Schema (draft-04), as shipped by Microsoft's
 * @microsoft/jest-sarif package (a dev dependency used only for this file).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const ajv = new Ajv04.default({ allErrors: true, strict: false, unicodeRegExp: false }) // the schema's language pattern is not valid with the u flag;
addFormats.default(ajv);

/** Validates a SARIF log; errors are on `validateSarif.errors`. */
export const validateSarif = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
