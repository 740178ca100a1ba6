// Flags several nouns declare alike.
import { flag } from '../cli/spec.js';

/** The country of numbers written without a country code (contacts, opt-outs). */
export const country = flag('--country <code>', 'country for numbers written without one (ISO code; default: profile, else ID)');
