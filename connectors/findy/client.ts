/** findy: drives the employer console through the shared console client. */
import { CONSOLE_CONFIGS, type ConsoleConfig } from '../console/config';

export const findyConfig: ConsoleConfig = CONSOLE_CONFIGS.findy;
export { withConsoleSession, listUrl } from '../console/client';
