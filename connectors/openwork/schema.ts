/** openwork: rows read from the console list (shared schema). */
export { consoleRowSchema, normalizedApplicantSchema, type ConsoleRow } from '../console/schema';
