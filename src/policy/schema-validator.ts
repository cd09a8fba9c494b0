/**
 * The validator of policies/schema.json (JSON Schema 2020-12), the one source of truth for the policy's
 * shape. Here it is compiled with Ajv at run time (tests, `tsx`); the bundles (scripts/build.mjs) replace this
 * module with Ajv standalone code generated from the same schema and options (scripts/policy-validator.mjs),
 * so a run with a policy file neither loads nor runs the schema compiler. test/unit/policy-validator.test.ts
 * checks that both give the same errors.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../policies/schema.json' with { type: 'json' };
import { isRegExp } from './regex-format.js';

/** Ajv options of the policy validator; scripts/policy-validator.mjs uses the same (the test compares them). */
export const POLICY_AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const;

let validator: ValidateFunction | undefined;

/**
 * The policy schema's validate function (compiled on first use). Its `errors` are Ajv error objects with
 * messages. @throws only if the schema itself is invalid (a bug)
 */
export function policyValidator(): ValidateFunction {
  // `format: regex` marks settings holding regular expressions.
  validator ??= new Ajv2020(POLICY_AJV_OPTIONS).addFormat('regex', { type: 'string', validate: isRegExp }).compile(schema);
  return validator;
}
