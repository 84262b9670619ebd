/** openwork: drives the employer console through the shared console client. */
import { CONSOLE_CONFIGS, type ConsoleConfig } from '../console/config';

export const openWorkConfig: ConsoleConfig = CONSOLE_CONFIGS.openwork;
export { withConsoleSession, listUrl } from '../console/client';
