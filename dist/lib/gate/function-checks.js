/** The config with its function checks: listed from the checks module, in a sandbox. */
import { mergeFunctionChecks } from "../engine/config.js";
import { ConfigError, errorMessage } from "../engine/errors.js";
/**
 * `config` with the checks its functions module exports added (as is when it names none).
 * Throws ConfigError for a module that cannot be listed or lists bad checks.
 */
export async function withFunctionChecks(config, workspace, abort) {
    if (config.functions === null)
        return config;
    let listed;
    try {
        listed = await workspace.listFunctionChecks(config.functions, abort);
    }
    catch (error) {
        if (abort?.aborted)
            throw error;
        // A broken checks module is a config problem: one clear line, exit 2, no stack.
        const message = errorMessage(error);
        throw new ConfigError({ file: config.functions, key: 'functions', message });
    }
    return mergeFunctionChecks(config, listed, config.functions);
}
