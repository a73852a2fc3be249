/**
 * Quorum as a library: `import { Gate } from 'quorum-gate'`. This file is the stable API, under
 * semver: what it exports by name (the Gate class and what it takes and returns, the Report and
 * every type a Report contains, parseConfig, loadConfigFile and the config's types, runGate and
 * its options, ConfigError and QuorumError) changes incompatibly only in a major version.
 * Anything not exported here is internal, even where the published declarations mention it or a
 * path inside the package reaches it, and may change in any release.
 *
 * In the shape of the original tool's "Use as a library":
 *
 *   const gate = new Gate()
 *   gate.addShell('tests', 'npm test')
 *   gate.addFunctions('./quorum.checks.mjs')
 *   const report = await gate.verify('./candidate')
 *   console.log(report.summary())
 *   if (await gate.promote('./candidate', './live', report)) console.log('shipped')
 *
 * Function checks are registered by module path, not as function objects: each one runs in a
 * child process that imports the module, so a check is only ever code that can be loaded afresh.
 */
import { resolve } from 'node:path';
import { configInCode, DEFAULT_SETUP_TIMEOUT_S, DEFAULT_TIMEOUT_S, noiseOf, } from "./engine/config.js";
import { z } from 'zod';
import { CHECK_NAME_PATTERN, MAX_CHECK_NAME_LENGTH, noiseKeys } from "./engine/config-schema.js";
import { runGate as runGateInternal } from "./gate.js";
import { promote } from "./cli/promote.js";
import { renderTerminal } from "./report/terminal.js";
export { parseConfig } from "./engine/config.js";
export { loadConfigFile } from "./run/config-file.js";
export { ConfigError, QuorumError } from "./engine/errors.js";
const NoiseOptions = z.object(noiseKeys);
/**
 * Runs every check of `options.config` on the candidate (and the baseline, if given) and
 * decides: the lower-level entry under Gate.verify, for a config read from a quorum.yml.
 * @throws ConfigError for a config (or its checks module) that cannot be used; a QuorumError of
 *   fate 'usage' for options that cannot work together (e.g. scored mode without a baseline).
 */
export function runGate(options) {
    return runGateInternal(options);
}
/** Builds a gate in code instead of quorum.yml. */
export class Gate {
    #init;
    #checks = [];
    #functions = null;
    constructor(init = {}) {
        this.#init = init;
    }
    /** Adds a shell check; throws a TypeError for a bad name, a duplicate or a bad timeout. */
    addShell(name, command, options = {}) {
        if (!CHECK_NAME_PATTERN.test(name) || name.length > MAX_CHECK_NAME_LENGTH) {
            throw new TypeError(`check name "${name}" must match ${CHECK_NAME_PATTERN}`);
        }
        if (this.#checks.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
            throw new TypeError(`a check named "${name}" was already added`);
        }
        const timeout = options.timeout_s ?? DEFAULT_TIMEOUT_S;
        if (!(Number.isFinite(timeout) && timeout > 0)) {
            throw new TypeError(`timeout_s of "${name}" must be a positive number, not ${timeout}`);
        }
        if (command.trim() === '')
            throw new TypeError(`check "${name}" needs a command`);
        if (options.expect === 'fail' && (options.retries ?? 0) > 0) {
            throw new TypeError(`check "${name}" is a canary (expect: 'fail'); canaries are never retried`);
        }
        const noise = NoiseOptions.safeParse({
            repeats: options.repeats,
            retries: options.retries,
            metrics: options.metrics,
        });
        if (!noise.success) {
            const issue = noise.error.issues[0];
            throw new TypeError(`check "${name}": ${issue.path.join('.')} ${issue.message}`);
        }
        this.#checks.push({
            kind: 'shell',
            name,
            command,
            timeout_s: timeout,
            score_from: options.score_from ?? null,
            env: options.env ?? {},
            ...noiseOf(noise.data, options.score_from ?? null),
            ...(options.expect === 'fail' ? { expect: 'fail' } : {}),
        });
        return this;
    }
    /** Registers a function-checks module (its default export is a list of checks). */
    addFunctions(modulePath) {
        this.#functions = resolve(modulePath);
        return this;
    }
    /** Runs every check on the candidate (and the baseline, if given) and decides. */
    async verify(candidateDir, options = {}) {
        const report = await runGateInternal({
            parallel: this.#init.parallel ?? null,
            sandbox: this.#init.sandbox ?? 'auto',
            ...options,
            config: this.#config(),
            candidateDir: resolve(candidateDir),
            baselineDir: options.baselineDir ? resolve(options.baselineDir) : null,
        });
        return Object.defineProperty(report, 'summary', {
            value: () => renderTerminal(report, { color: false }),
            enumerable: false,
        });
    }
    /** Copies an allowed candidate over live; returns false (and copies nothing) when blocked. */
    async promote(candidateDir, liveDir, report) {
        if (report.verdict !== 'allow')
            return false;
        await promote(candidateDir, liveDir, report);
        return true;
    }
    #config() {
        return configInCode({
            mode: this.#init.mode ?? 'pass-fail',
            flaky: this.#init.flaky ?? 'warn',
            setup: this.#init.setup
                ? { command: this.#init.setup, timeout_s: DEFAULT_SETUP_TIMEOUT_S }
                : null,
            env_passthrough: this.#init.envPassthrough ?? [],
            env: this.#init.env ?? {},
            parallel: this.#init.parallel ?? null,
            functions: this.#functions,
            checks: [...this.#checks],
            ...(this.#init.audit ? { audit: [...this.#init.audit] } : {}),
            ...(this.#init.vacuous ? { vacuous: this.#init.vacuous } : {}),
            ...(this.#init.uncovered ? { uncovered: this.#init.uncovered } : {}),
        });
    }
}
