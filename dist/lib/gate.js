/**
 * The gate's entry for its callers (the CLI, the action, the library): runGate and what it
 * takes. The gate itself lives in src/gate/ (run-gate.ts reads as its steps).
 */
export { runGate } from "./gate/run-gate.js";
export { GateUsageError } from "./gate/options.js";
export { attemptSeed } from "./gate/execute.js";
