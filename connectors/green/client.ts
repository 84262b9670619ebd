/** green: drives the employer console through the shared console client. */
import { CONSOLE_CONFIGS, type ConsoleConfig } from '../console/config';

export const greenConfig: ConsoleConfig = CONSOLE_CONFIGS.green;
export { withConsoleSession, listUrl } from '../console/client';
