// Types of the validator that scripts/generate-validator.ts writes next to the compiled output.
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export default validate;
