/** Connector-level figures (connector_*): see test/connectors/media-bench.ts. */
export { metrics } from '../test/connectors/media-bench';
