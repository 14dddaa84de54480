/** The logger shape and the silent default live in the protocol package, shared by every package. */
export { type Logger, SILENT_LOGGER as silentLogger } from "@reactor-node/protocol";
