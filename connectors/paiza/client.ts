/** paiza: drives the employer console through the shared console client. */
import { CONSOLE_CONFIGS, type ConsoleConfig } from '../console/config';

export const paizaConfig: ConsoleConfig = CONSOLE_CONFIGS.paiza;
export { withConsoleSession, listUrl } from '../console/client';
