/**
 * The shape of what Quorum reads back that it once wrote: a run result from the result cache,
 * and whole reports from the gate stage's artifacts. Whatever comes back may be corrupt or
 * forged, so it is checked field by field, with caps on every string and list, before anything
 * uses it.
 */
import { z } from 'zod';
import type { Attempt, AuditReport, AuditRun, CapturedOutput, Change, ChangeAudit, CheckReport, FileAudit, MetricReport, NotAuditedReason, Report, ReuseOrigin, RunResult, Sabotage, SabotagedRun, TreeInfo, VacuityProbe, SequentialReport, SequentialStop, TimingReport } from './types.ts';
declare const AttemptSchema: z.ZodObject<{
    repeat: z.ZodNumber;
    attempt: z.ZodNumber;
    outcome: z.ZodEnum<{
        PASSED: "PASSED";
        FAILED: "FAILED";
        TIMEOUT: "TIMEOUT";
        CRASHED: "CRASHED";
        ERROR: "ERROR";
    }>;
    reason: z.ZodString;
    seed: z.ZodString;
    started_at: z.ZodString;
    duration_ms: z.ZodNumber;
    metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
    log_path: z.ZodNullable<z.ZodString>;
}, z.core.$strict>;
declare const OutputSchema: z.ZodObject<{
    head: z.ZodString;
    tail: z.ZodString;
    bytes: z.ZodNumber;
    truncated: z.ZodBoolean;
    log_path: z.ZodNullable<z.ZodString>;
}, z.core.$strict>;
export declare const RunResultSchema: z.ZodObject<{
    outcome: z.ZodEnum<{
        PASSED: "PASSED";
        FAILED: "FAILED";
        TIMEOUT: "TIMEOUT";
        CRASHED: "CRASHED";
        ERROR: "ERROR";
        FLAKY: "FLAKY";
    }>;
    reason: z.ZodString;
    score: z.ZodNullable<z.ZodNumber>;
    duration_ms: z.ZodNumber;
    exit_code: z.ZodNullable<z.ZodNumber>;
    signal: z.ZodNullable<z.ZodString>;
    output: z.ZodObject<{
        head: z.ZodString;
        tail: z.ZodString;
        bytes: z.ZodNumber;
        truncated: z.ZodBoolean;
        log_path: z.ZodNullable<z.ZodString>;
    }, z.core.$strict>;
    seed: z.ZodString;
    sandbox: z.ZodEnum<{
        overlay: "overlay";
        copy: "copy";
    }>;
    sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
    metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
    declaration_error: z.ZodOptional<z.ZodBoolean>;
    attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
        repeat: z.ZodNumber;
        attempt: z.ZodNumber;
        outcome: z.ZodEnum<{
            PASSED: "PASSED";
            FAILED: "FAILED";
            TIMEOUT: "TIMEOUT";
            CRASHED: "CRASHED";
            ERROR: "ERROR";
        }>;
        reason: z.ZodString;
        seed: z.ZodString;
        started_at: z.ZodString;
        duration_ms: z.ZodNumber;
        metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
        log_path: z.ZodNullable<z.ZodString>;
    }, z.core.$strict>>>;
    reused_from: z.ZodOptional<z.ZodObject<{
        cache: z.ZodEnum<{
            local: "local";
            actions: "actions";
        }>;
        location: z.ZodString;
        stored_at: z.ZodString;
        key: z.ZodString;
    }, z.core.$strict>>;
}, z.core.$strict>;
/** The run result in `value`, or why it is not one (one line). */
export declare function parseRunResult(value: unknown): {
    ok: true;
    result: RunResult;
} | {
    ok: false;
    why: string;
};
/** Most checks a report may list (a config with more is not a plan, it is an accident). */
export declare const MAX_REPORT_CHECKS = 10000;
declare const MetricReportSchema: z.ZodObject<{
    name: z.ZodString;
    direction: z.ZodEnum<{
        higher: "higher";
        lower: "lower";
    }>;
    tolerance: z.ZodString;
    deterministic: z.ZodBoolean;
    verdict: z.ZodEnum<{
        regressed: "regressed";
        improved: "improved";
        unchanged: "unchanged";
        inconclusive: "inconclusive";
    }>;
    baseline: z.ZodNullable<z.ZodObject<{
        samples: z.ZodArray<z.ZodNumber>;
        median: z.ZodNullable<z.ZodNumber>;
    }, z.core.$strict>>;
    candidate: z.ZodObject<{
        samples: z.ZodArray<z.ZodNumber>;
        median: z.ZodNullable<z.ZodNumber>;
    }, z.core.$strict>;
    change_pct: z.ZodNullable<z.ZodNumber>;
    ci: z.ZodNullable<z.ZodTuple<[z.ZodNumber, z.ZodNumber], null>>;
    test: z.ZodString;
    repeats_needed: z.ZodNullable<z.ZodNumber>;
}, z.core.$strict>;
declare const CHANGES: readonly ["still-passing", "regressed", "fixed", "still-failing", "passing", "failing", "new-check-passing", "new-check-failing"];
declare const SEQUENTIAL_STOPS: readonly ["decided", "not-passing", "max-repeats", "time-budget", "stopped"];
declare const SequentialSchema: z.ZodObject<{
    looks: z.ZodNumber;
    planned_looks: z.ZodNumber;
    repeats: z.ZodNumber;
    max_repeats: z.ZodNumber;
    alpha: z.ZodNumber;
    stopped: z.ZodEnum<{
        decided: "decided";
        "not-passing": "not-passing";
        "max-repeats": "max-repeats";
        "time-budget": "time-budget";
        stopped: "stopped";
    }>;
}, z.core.$strict>;
declare const CheckReportSchema: z.ZodObject<{
    name: z.ZodString;
    kind: z.ZodEnum<{
        function: "function";
        shell: "shell";
    }>;
    candidate: z.ZodObject<{
        outcome: z.ZodEnum<{
            PASSED: "PASSED";
            FAILED: "FAILED";
            TIMEOUT: "TIMEOUT";
            CRASHED: "CRASHED";
            ERROR: "ERROR";
            FLAKY: "FLAKY";
        }>;
        reason: z.ZodString;
        score: z.ZodNullable<z.ZodNumber>;
        duration_ms: z.ZodNumber;
        exit_code: z.ZodNullable<z.ZodNumber>;
        signal: z.ZodNullable<z.ZodString>;
        output: z.ZodObject<{
            head: z.ZodString;
            tail: z.ZodString;
            bytes: z.ZodNumber;
            truncated: z.ZodBoolean;
            log_path: z.ZodNullable<z.ZodString>;
        }, z.core.$strict>;
        seed: z.ZodString;
        sandbox: z.ZodEnum<{
            overlay: "overlay";
            copy: "copy";
        }>;
        sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
        metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
        declaration_error: z.ZodOptional<z.ZodBoolean>;
        attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
            repeat: z.ZodNumber;
            attempt: z.ZodNumber;
            outcome: z.ZodEnum<{
                PASSED: "PASSED";
                FAILED: "FAILED";
                TIMEOUT: "TIMEOUT";
                CRASHED: "CRASHED";
                ERROR: "ERROR";
            }>;
            reason: z.ZodString;
            seed: z.ZodString;
            started_at: z.ZodString;
            duration_ms: z.ZodNumber;
            metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
            log_path: z.ZodNullable<z.ZodString>;
        }, z.core.$strict>>>;
        reused_from: z.ZodOptional<z.ZodObject<{
            cache: z.ZodEnum<{
                local: "local";
                actions: "actions";
            }>;
            location: z.ZodString;
            stored_at: z.ZodString;
            key: z.ZodString;
        }, z.core.$strict>>;
    }, z.core.$strict>;
    baseline: z.ZodNullable<z.ZodObject<{
        outcome: z.ZodEnum<{
            PASSED: "PASSED";
            FAILED: "FAILED";
            TIMEOUT: "TIMEOUT";
            CRASHED: "CRASHED";
            ERROR: "ERROR";
            FLAKY: "FLAKY";
        }>;
        reason: z.ZodString;
        score: z.ZodNullable<z.ZodNumber>;
        duration_ms: z.ZodNumber;
        exit_code: z.ZodNullable<z.ZodNumber>;
        signal: z.ZodNullable<z.ZodString>;
        output: z.ZodObject<{
            head: z.ZodString;
            tail: z.ZodString;
            bytes: z.ZodNumber;
            truncated: z.ZodBoolean;
            log_path: z.ZodNullable<z.ZodString>;
        }, z.core.$strict>;
        seed: z.ZodString;
        sandbox: z.ZodEnum<{
            overlay: "overlay";
            copy: "copy";
        }>;
        sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
        metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
        declaration_error: z.ZodOptional<z.ZodBoolean>;
        attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
            repeat: z.ZodNumber;
            attempt: z.ZodNumber;
            outcome: z.ZodEnum<{
                PASSED: "PASSED";
                FAILED: "FAILED";
                TIMEOUT: "TIMEOUT";
                CRASHED: "CRASHED";
                ERROR: "ERROR";
            }>;
            reason: z.ZodString;
            seed: z.ZodString;
            started_at: z.ZodString;
            duration_ms: z.ZodNumber;
            metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
            log_path: z.ZodNullable<z.ZodString>;
        }, z.core.$strict>>>;
        reused_from: z.ZodOptional<z.ZodObject<{
            cache: z.ZodEnum<{
                local: "local";
                actions: "actions";
            }>;
            location: z.ZodString;
            stored_at: z.ZodString;
            key: z.ZodString;
        }, z.core.$strict>>;
    }, z.core.$strict>>;
    change: z.ZodEnum<{
        regressed: "regressed";
        "still-passing": "still-passing";
        fixed: "fixed";
        "still-failing": "still-failing";
        passing: "passing";
        failing: "failing";
        "new-check-passing": "new-check-passing";
        "new-check-failing": "new-check-failing";
    }>;
    score_delta: z.ZodNullable<z.ZodNumber>;
    reproduce: z.ZodString;
    metrics: z.ZodOptional<z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        direction: z.ZodEnum<{
            higher: "higher";
            lower: "lower";
        }>;
        tolerance: z.ZodString;
        deterministic: z.ZodBoolean;
        verdict: z.ZodEnum<{
            regressed: "regressed";
            improved: "improved";
            unchanged: "unchanged";
            inconclusive: "inconclusive";
        }>;
        baseline: z.ZodNullable<z.ZodObject<{
            samples: z.ZodArray<z.ZodNumber>;
            median: z.ZodNullable<z.ZodNumber>;
        }, z.core.$strict>>;
        candidate: z.ZodObject<{
            samples: z.ZodArray<z.ZodNumber>;
            median: z.ZodNullable<z.ZodNumber>;
        }, z.core.$strict>;
        change_pct: z.ZodNullable<z.ZodNumber>;
        ci: z.ZodNullable<z.ZodTuple<[z.ZodNumber, z.ZodNumber], null>>;
        test: z.ZodString;
        repeats_needed: z.ZodNullable<z.ZodNumber>;
    }, z.core.$strict>>>;
    expect: z.ZodOptional<z.ZodLiteral<"fail">>;
    sequential: z.ZodOptional<z.ZodObject<{
        looks: z.ZodNumber;
        planned_looks: z.ZodNumber;
        repeats: z.ZodNumber;
        max_repeats: z.ZodNumber;
        alpha: z.ZodNumber;
        stopped: z.ZodEnum<{
            decided: "decided";
            "not-passing": "not-passing";
            "max-repeats": "max-repeats";
            "time-budget": "time-budget";
            stopped: "stopped";
        }>;
    }, z.core.$strict>>;
}, z.core.$strict>;
declare const TimingSchema: z.ZodObject<{
    alone: z.ZodLiteral<true>;
    cpu: z.ZodNullable<z.ZodNumber>;
    gate_cpus: z.ZodArray<z.ZodNumber>;
    not_pinned_reason: z.ZodNullable<z.ZodString>;
    calibration_ms: z.ZodArray<z.ZodNumber>;
    noise_pct: z.ZodNullable<z.ZodNumber>;
    calibration_error: z.ZodNullable<z.ZodString>;
}, z.core.$strict>;
declare const ReuseOriginSchema: z.ZodObject<{
    cache: z.ZodEnum<{
        local: "local";
        actions: "actions";
    }>;
    location: z.ZodString;
    stored_at: z.ZodString;
    key: z.ZodString;
}, z.core.$strict>;
declare const AuditRunSchema: z.ZodObject<{
    outcome: z.ZodEnum<{
        PASSED: "PASSED";
        FAILED: "FAILED";
        TIMEOUT: "TIMEOUT";
        CRASHED: "CRASHED";
        ERROR: "ERROR";
        FLAKY: "FLAKY";
    }>;
    reason: z.ZodString;
    duration_ms: z.ZodNumber;
    exit_code: z.ZodNullable<z.ZodNumber>;
    signal: z.ZodNullable<z.ZodString>;
    seed: z.ZodString;
    log_path: z.ZodNullable<z.ZodString>;
    reused_from: z.ZodOptional<z.ZodObject<{
        cache: z.ZodEnum<{
            local: "local";
            actions: "actions";
        }>;
        location: z.ZodString;
        stored_at: z.ZodString;
        key: z.ZodString;
    }, z.core.$strict>>;
}, z.core.$strict>;
declare const VacuityProbeSchema: z.ZodObject<{
    check: z.ZodString;
    probed: z.ZodEnum<{
        baseline: "baseline";
        candidate: "candidate";
    }>;
    run: z.ZodObject<{
        outcome: z.ZodEnum<{
            PASSED: "PASSED";
            FAILED: "FAILED";
            TIMEOUT: "TIMEOUT";
            CRASHED: "CRASHED";
            ERROR: "ERROR";
            FLAKY: "FLAKY";
        }>;
        reason: z.ZodString;
        duration_ms: z.ZodNumber;
        exit_code: z.ZodNullable<z.ZodNumber>;
        signal: z.ZodNullable<z.ZodString>;
        seed: z.ZodString;
        log_path: z.ZodNullable<z.ZodString>;
        reused_from: z.ZodOptional<z.ZodObject<{
            cache: z.ZodEnum<{
                local: "local";
                actions: "actions";
            }>;
            location: z.ZodString;
            stored_at: z.ZodString;
            key: z.ZodString;
        }, z.core.$strict>>;
    }, z.core.$strict>;
    vacuous: z.ZodNullable<z.ZodBoolean>;
}, z.core.$strict>;
declare const SabotagedRunSchema: z.ZodObject<{
    check: z.ZodString;
    run: z.ZodObject<{
        outcome: z.ZodEnum<{
            PASSED: "PASSED";
            FAILED: "FAILED";
            TIMEOUT: "TIMEOUT";
            CRASHED: "CRASHED";
            ERROR: "ERROR";
            FLAKY: "FLAKY";
        }>;
        reason: z.ZodString;
        duration_ms: z.ZodNumber;
        exit_code: z.ZodNullable<z.ZodNumber>;
        signal: z.ZodNullable<z.ZodString>;
        seed: z.ZodString;
        log_path: z.ZodNullable<z.ZodString>;
        reused_from: z.ZodOptional<z.ZodObject<{
            cache: z.ZodEnum<{
                local: "local";
                actions: "actions";
            }>;
            location: z.ZodString;
            stored_at: z.ZodString;
            key: z.ZodString;
        }, z.core.$strict>>;
    }, z.core.$strict>;
    noticed: z.ZodNullable<z.ZodBoolean>;
    together: z.ZodOptional<z.ZodLiteral<true>>;
    broken_together: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
declare const SABOTAGES: readonly ["throw", "raise", "exit", "emptied"];
declare const FileAuditSchema: z.ZodObject<{
    path: z.ZodString;
    status: z.ZodEnum<{
        added: "added";
        modified: "modified";
    }>;
    sabotage: z.ZodEnum<{
        throw: "throw";
        raise: "raise";
        exit: "exit";
        emptied: "emptied";
    }>;
    runs: z.ZodArray<z.ZodObject<{
        check: z.ZodString;
        run: z.ZodObject<{
            outcome: z.ZodEnum<{
                PASSED: "PASSED";
                FAILED: "FAILED";
                TIMEOUT: "TIMEOUT";
                CRASHED: "CRASHED";
                ERROR: "ERROR";
                FLAKY: "FLAKY";
            }>;
            reason: z.ZodString;
            duration_ms: z.ZodNumber;
            exit_code: z.ZodNullable<z.ZodNumber>;
            signal: z.ZodNullable<z.ZodString>;
            seed: z.ZodString;
            log_path: z.ZodNullable<z.ZodString>;
            reused_from: z.ZodOptional<z.ZodObject<{
                cache: z.ZodEnum<{
                    local: "local";
                    actions: "actions";
                }>;
                location: z.ZodString;
                stored_at: z.ZodString;
                key: z.ZodString;
            }, z.core.$strict>>;
        }, z.core.$strict>;
        noticed: z.ZodNullable<z.ZodBoolean>;
        together: z.ZodOptional<z.ZodLiteral<true>>;
        broken_together: z.ZodOptional<z.ZodNumber>;
    }, z.core.$strict>>;
    noticed_by: z.ZodArray<z.ZodString>;
    covered: z.ZodNullable<z.ZodBoolean>;
}, z.core.$strict>;
declare const NOT_AUDITED_REASONS: readonly ["ignored", "gate-file", "binary", "not-a-file", "over-cap", "too-large", "unreadable"];
declare const ChangeAuditSchema: z.ZodObject<{
    checks: z.ZodArray<z.ZodString>;
    max_files: z.ZodNumber;
    files: z.ZodArray<z.ZodObject<{
        path: z.ZodString;
        status: z.ZodEnum<{
            added: "added";
            modified: "modified";
        }>;
        sabotage: z.ZodEnum<{
            throw: "throw";
            raise: "raise";
            exit: "exit";
            emptied: "emptied";
        }>;
        runs: z.ZodArray<z.ZodObject<{
            check: z.ZodString;
            run: z.ZodObject<{
                outcome: z.ZodEnum<{
                    PASSED: "PASSED";
                    FAILED: "FAILED";
                    TIMEOUT: "TIMEOUT";
                    CRASHED: "CRASHED";
                    ERROR: "ERROR";
                    FLAKY: "FLAKY";
                }>;
                reason: z.ZodString;
                duration_ms: z.ZodNumber;
                exit_code: z.ZodNullable<z.ZodNumber>;
                signal: z.ZodNullable<z.ZodString>;
                seed: z.ZodString;
                log_path: z.ZodNullable<z.ZodString>;
                reused_from: z.ZodOptional<z.ZodObject<{
                    cache: z.ZodEnum<{
                        local: "local";
                        actions: "actions";
                    }>;
                    location: z.ZodString;
                    stored_at: z.ZodString;
                    key: z.ZodString;
                }, z.core.$strict>>;
            }, z.core.$strict>;
            noticed: z.ZodNullable<z.ZodBoolean>;
            together: z.ZodOptional<z.ZodLiteral<true>>;
            broken_together: z.ZodOptional<z.ZodNumber>;
        }, z.core.$strict>>;
        noticed_by: z.ZodArray<z.ZodString>;
        covered: z.ZodNullable<z.ZodBoolean>;
    }, z.core.$strict>>;
    not_audited: z.ZodArray<z.ZodObject<{
        path: z.ZodString;
        why: z.ZodEnum<{
            ignored: "ignored";
            "gate-file": "gate-file";
            binary: "binary";
            "not-a-file": "not-a-file";
            "over-cap": "over-cap";
            "too-large": "too-large";
            unreadable: "unreadable";
        }>;
    }, z.core.$strict>>;
    not_audited_omitted: z.ZodOptional<z.ZodNumber>;
    note: z.ZodOptional<z.ZodString>;
    runs: z.ZodOptional<z.ZodArray<z.ZodObject<{
        check: z.ZodString;
        runs: z.ZodNumber;
    }, z.core.$strict>>>;
}, z.core.$strict>;
declare const AuditReportSchema: z.ZodObject<{
    vacuous: z.ZodEnum<{
        warn: "warn";
        block: "block";
    }>;
    uncovered: z.ZodEnum<{
        warn: "warn";
        block: "block";
    }>;
    vacuity: z.ZodOptional<z.ZodArray<z.ZodObject<{
        check: z.ZodString;
        probed: z.ZodEnum<{
            baseline: "baseline";
            candidate: "candidate";
        }>;
        run: z.ZodObject<{
            outcome: z.ZodEnum<{
                PASSED: "PASSED";
                FAILED: "FAILED";
                TIMEOUT: "TIMEOUT";
                CRASHED: "CRASHED";
                ERROR: "ERROR";
                FLAKY: "FLAKY";
            }>;
            reason: z.ZodString;
            duration_ms: z.ZodNumber;
            exit_code: z.ZodNullable<z.ZodNumber>;
            signal: z.ZodNullable<z.ZodString>;
            seed: z.ZodString;
            log_path: z.ZodNullable<z.ZodString>;
            reused_from: z.ZodOptional<z.ZodObject<{
                cache: z.ZodEnum<{
                    local: "local";
                    actions: "actions";
                }>;
                location: z.ZodString;
                stored_at: z.ZodString;
                key: z.ZodString;
            }, z.core.$strict>>;
        }, z.core.$strict>;
        vacuous: z.ZodNullable<z.ZodBoolean>;
    }, z.core.$strict>>>;
    changes: z.ZodOptional<z.ZodObject<{
        checks: z.ZodArray<z.ZodString>;
        max_files: z.ZodNumber;
        files: z.ZodArray<z.ZodObject<{
            path: z.ZodString;
            status: z.ZodEnum<{
                added: "added";
                modified: "modified";
            }>;
            sabotage: z.ZodEnum<{
                throw: "throw";
                raise: "raise";
                exit: "exit";
                emptied: "emptied";
            }>;
            runs: z.ZodArray<z.ZodObject<{
                check: z.ZodString;
                run: z.ZodObject<{
                    outcome: z.ZodEnum<{
                        PASSED: "PASSED";
                        FAILED: "FAILED";
                        TIMEOUT: "TIMEOUT";
                        CRASHED: "CRASHED";
                        ERROR: "ERROR";
                        FLAKY: "FLAKY";
                    }>;
                    reason: z.ZodString;
                    duration_ms: z.ZodNumber;
                    exit_code: z.ZodNullable<z.ZodNumber>;
                    signal: z.ZodNullable<z.ZodString>;
                    seed: z.ZodString;
                    log_path: z.ZodNullable<z.ZodString>;
                    reused_from: z.ZodOptional<z.ZodObject<{
                        cache: z.ZodEnum<{
                            local: "local";
                            actions: "actions";
                        }>;
                        location: z.ZodString;
                        stored_at: z.ZodString;
                        key: z.ZodString;
                    }, z.core.$strict>>;
                }, z.core.$strict>;
                noticed: z.ZodNullable<z.ZodBoolean>;
                together: z.ZodOptional<z.ZodLiteral<true>>;
                broken_together: z.ZodOptional<z.ZodNumber>;
            }, z.core.$strict>>;
            noticed_by: z.ZodArray<z.ZodString>;
            covered: z.ZodNullable<z.ZodBoolean>;
        }, z.core.$strict>>;
        not_audited: z.ZodArray<z.ZodObject<{
            path: z.ZodString;
            why: z.ZodEnum<{
                ignored: "ignored";
                "gate-file": "gate-file";
                binary: "binary";
                "not-a-file": "not-a-file";
                "over-cap": "over-cap";
                "too-large": "too-large";
                unreadable: "unreadable";
            }>;
        }, z.core.$strict>>;
        not_audited_omitted: z.ZodOptional<z.ZodNumber>;
        note: z.ZodOptional<z.ZodString>;
        runs: z.ZodOptional<z.ZodArray<z.ZodObject<{
            check: z.ZodString;
            runs: z.ZodNumber;
        }, z.core.$strict>>>;
    }, z.core.$strict>>;
}, z.core.$strict>;
declare const TreeInfoSchema: z.ZodObject<{
    role: z.ZodEnum<{
        baseline: "baseline";
        candidate: "candidate";
    }>;
    path: z.ZodString;
    commit: z.ZodNullable<z.ZodString>;
    id: z.ZodOptional<z.ZodString>;
    setup: z.ZodNullable<z.ZodObject<{
        outcome: z.ZodEnum<{
            PASSED: "PASSED";
            FAILED: "FAILED";
            TIMEOUT: "TIMEOUT";
            CRASHED: "CRASHED";
            ERROR: "ERROR";
            FLAKY: "FLAKY";
        }>;
        reason: z.ZodString;
        score: z.ZodNullable<z.ZodNumber>;
        duration_ms: z.ZodNumber;
        exit_code: z.ZodNullable<z.ZodNumber>;
        signal: z.ZodNullable<z.ZodString>;
        output: z.ZodObject<{
            head: z.ZodString;
            tail: z.ZodString;
            bytes: z.ZodNumber;
            truncated: z.ZodBoolean;
            log_path: z.ZodNullable<z.ZodString>;
        }, z.core.$strict>;
        seed: z.ZodString;
        sandbox: z.ZodEnum<{
            overlay: "overlay";
            copy: "copy";
        }>;
        sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
        metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
        declaration_error: z.ZodOptional<z.ZodBoolean>;
        attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
            repeat: z.ZodNumber;
            attempt: z.ZodNumber;
            outcome: z.ZodEnum<{
                PASSED: "PASSED";
                FAILED: "FAILED";
                TIMEOUT: "TIMEOUT";
                CRASHED: "CRASHED";
                ERROR: "ERROR";
            }>;
            reason: z.ZodString;
            seed: z.ZodString;
            started_at: z.ZodString;
            duration_ms: z.ZodNumber;
            metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
            log_path: z.ZodNullable<z.ZodString>;
        }, z.core.$strict>>>;
        reused_from: z.ZodOptional<z.ZodObject<{
            cache: z.ZodEnum<{
                local: "local";
                actions: "actions";
            }>;
            location: z.ZodString;
            stored_at: z.ZodString;
            key: z.ZodString;
        }, z.core.$strict>>;
    }, z.core.$strict>>;
}, z.core.$strict>;
export declare const ReportSchema: z.ZodObject<{
    schema_version: z.ZodLiteral<1>;
    tool: z.ZodObject<{
        name: z.ZodLiteral<"quorum">;
        version: z.ZodString;
    }, z.core.$strict>;
    verdict: z.ZodEnum<{
        block: "block";
        allow: "allow";
    }>;
    mode: z.ZodEnum<{
        "pass-fail": "pass-fail";
        scored: "scored";
        "no-regression": "no-regression";
    }>;
    flaky: z.ZodOptional<z.ZodEnum<{
        warn: "warn";
        block: "block";
    }>>;
    reasons: z.ZodArray<z.ZodString>;
    checks: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        kind: z.ZodEnum<{
            function: "function";
            shell: "shell";
        }>;
        candidate: z.ZodObject<{
            outcome: z.ZodEnum<{
                PASSED: "PASSED";
                FAILED: "FAILED";
                TIMEOUT: "TIMEOUT";
                CRASHED: "CRASHED";
                ERROR: "ERROR";
                FLAKY: "FLAKY";
            }>;
            reason: z.ZodString;
            score: z.ZodNullable<z.ZodNumber>;
            duration_ms: z.ZodNumber;
            exit_code: z.ZodNullable<z.ZodNumber>;
            signal: z.ZodNullable<z.ZodString>;
            output: z.ZodObject<{
                head: z.ZodString;
                tail: z.ZodString;
                bytes: z.ZodNumber;
                truncated: z.ZodBoolean;
                log_path: z.ZodNullable<z.ZodString>;
            }, z.core.$strict>;
            seed: z.ZodString;
            sandbox: z.ZodEnum<{
                overlay: "overlay";
                copy: "copy";
            }>;
            sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
            metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
            declaration_error: z.ZodOptional<z.ZodBoolean>;
            attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
                repeat: z.ZodNumber;
                attempt: z.ZodNumber;
                outcome: z.ZodEnum<{
                    PASSED: "PASSED";
                    FAILED: "FAILED";
                    TIMEOUT: "TIMEOUT";
                    CRASHED: "CRASHED";
                    ERROR: "ERROR";
                }>;
                reason: z.ZodString;
                seed: z.ZodString;
                started_at: z.ZodString;
                duration_ms: z.ZodNumber;
                metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
                log_path: z.ZodNullable<z.ZodString>;
            }, z.core.$strict>>>;
            reused_from: z.ZodOptional<z.ZodObject<{
                cache: z.ZodEnum<{
                    local: "local";
                    actions: "actions";
                }>;
                location: z.ZodString;
                stored_at: z.ZodString;
                key: z.ZodString;
            }, z.core.$strict>>;
        }, z.core.$strict>;
        baseline: z.ZodNullable<z.ZodObject<{
            outcome: z.ZodEnum<{
                PASSED: "PASSED";
                FAILED: "FAILED";
                TIMEOUT: "TIMEOUT";
                CRASHED: "CRASHED";
                ERROR: "ERROR";
                FLAKY: "FLAKY";
            }>;
            reason: z.ZodString;
            score: z.ZodNullable<z.ZodNumber>;
            duration_ms: z.ZodNumber;
            exit_code: z.ZodNullable<z.ZodNumber>;
            signal: z.ZodNullable<z.ZodString>;
            output: z.ZodObject<{
                head: z.ZodString;
                tail: z.ZodString;
                bytes: z.ZodNumber;
                truncated: z.ZodBoolean;
                log_path: z.ZodNullable<z.ZodString>;
            }, z.core.$strict>;
            seed: z.ZodString;
            sandbox: z.ZodEnum<{
                overlay: "overlay";
                copy: "copy";
            }>;
            sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
            metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
            declaration_error: z.ZodOptional<z.ZodBoolean>;
            attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
                repeat: z.ZodNumber;
                attempt: z.ZodNumber;
                outcome: z.ZodEnum<{
                    PASSED: "PASSED";
                    FAILED: "FAILED";
                    TIMEOUT: "TIMEOUT";
                    CRASHED: "CRASHED";
                    ERROR: "ERROR";
                }>;
                reason: z.ZodString;
                seed: z.ZodString;
                started_at: z.ZodString;
                duration_ms: z.ZodNumber;
                metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
                log_path: z.ZodNullable<z.ZodString>;
            }, z.core.$strict>>>;
            reused_from: z.ZodOptional<z.ZodObject<{
                cache: z.ZodEnum<{
                    local: "local";
                    actions: "actions";
                }>;
                location: z.ZodString;
                stored_at: z.ZodString;
                key: z.ZodString;
            }, z.core.$strict>>;
        }, z.core.$strict>>;
        change: z.ZodEnum<{
            regressed: "regressed";
            "still-passing": "still-passing";
            fixed: "fixed";
            "still-failing": "still-failing";
            passing: "passing";
            failing: "failing";
            "new-check-passing": "new-check-passing";
            "new-check-failing": "new-check-failing";
        }>;
        score_delta: z.ZodNullable<z.ZodNumber>;
        reproduce: z.ZodString;
        metrics: z.ZodOptional<z.ZodArray<z.ZodObject<{
            name: z.ZodString;
            direction: z.ZodEnum<{
                higher: "higher";
                lower: "lower";
            }>;
            tolerance: z.ZodString;
            deterministic: z.ZodBoolean;
            verdict: z.ZodEnum<{
                regressed: "regressed";
                improved: "improved";
                unchanged: "unchanged";
                inconclusive: "inconclusive";
            }>;
            baseline: z.ZodNullable<z.ZodObject<{
                samples: z.ZodArray<z.ZodNumber>;
                median: z.ZodNullable<z.ZodNumber>;
            }, z.core.$strict>>;
            candidate: z.ZodObject<{
                samples: z.ZodArray<z.ZodNumber>;
                median: z.ZodNullable<z.ZodNumber>;
            }, z.core.$strict>;
            change_pct: z.ZodNullable<z.ZodNumber>;
            ci: z.ZodNullable<z.ZodTuple<[z.ZodNumber, z.ZodNumber], null>>;
            test: z.ZodString;
            repeats_needed: z.ZodNullable<z.ZodNumber>;
        }, z.core.$strict>>>;
        expect: z.ZodOptional<z.ZodLiteral<"fail">>;
        sequential: z.ZodOptional<z.ZodObject<{
            looks: z.ZodNumber;
            planned_looks: z.ZodNumber;
            repeats: z.ZodNumber;
            max_repeats: z.ZodNumber;
            alpha: z.ZodNumber;
            stopped: z.ZodEnum<{
                decided: "decided";
                "not-passing": "not-passing";
                "max-repeats": "max-repeats";
                "time-budget": "time-budget";
                stopped: "stopped";
            }>;
        }, z.core.$strict>>;
    }, z.core.$strict>>;
    counts: z.ZodObject<{
        PASSED: z.ZodNumber;
        FAILED: z.ZodNumber;
        TIMEOUT: z.ZodNumber;
        CRASHED: z.ZodNumber;
        ERROR: z.ZodNumber;
        FLAKY: z.ZodOptional<z.ZodNumber>;
    }, z.core.$strict>;
    skipped: z.ZodOptional<z.ZodArray<z.ZodString>>;
    shard: z.ZodOptional<z.ZodObject<{
        index: z.ZodNumber;
        total: z.ZodNumber;
        all_checks: z.ZodArray<z.ZodString>;
    }, z.core.$strict>>;
    totals: z.ZodObject<{
        baseline_score: z.ZodNullable<z.ZodNumber>;
        candidate_score: z.ZodNumber;
    }, z.core.$strict>;
    trees: z.ZodObject<{
        baseline: z.ZodNullable<z.ZodObject<{
            role: z.ZodEnum<{
                baseline: "baseline";
                candidate: "candidate";
            }>;
            path: z.ZodString;
            commit: z.ZodNullable<z.ZodString>;
            id: z.ZodOptional<z.ZodString>;
            setup: z.ZodNullable<z.ZodObject<{
                outcome: z.ZodEnum<{
                    PASSED: "PASSED";
                    FAILED: "FAILED";
                    TIMEOUT: "TIMEOUT";
                    CRASHED: "CRASHED";
                    ERROR: "ERROR";
                    FLAKY: "FLAKY";
                }>;
                reason: z.ZodString;
                score: z.ZodNullable<z.ZodNumber>;
                duration_ms: z.ZodNumber;
                exit_code: z.ZodNullable<z.ZodNumber>;
                signal: z.ZodNullable<z.ZodString>;
                output: z.ZodObject<{
                    head: z.ZodString;
                    tail: z.ZodString;
                    bytes: z.ZodNumber;
                    truncated: z.ZodBoolean;
                    log_path: z.ZodNullable<z.ZodString>;
                }, z.core.$strict>;
                seed: z.ZodString;
                sandbox: z.ZodEnum<{
                    overlay: "overlay";
                    copy: "copy";
                }>;
                sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
                metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
                declaration_error: z.ZodOptional<z.ZodBoolean>;
                attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
                    repeat: z.ZodNumber;
                    attempt: z.ZodNumber;
                    outcome: z.ZodEnum<{
                        PASSED: "PASSED";
                        FAILED: "FAILED";
                        TIMEOUT: "TIMEOUT";
                        CRASHED: "CRASHED";
                        ERROR: "ERROR";
                    }>;
                    reason: z.ZodString;
                    seed: z.ZodString;
                    started_at: z.ZodString;
                    duration_ms: z.ZodNumber;
                    metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
                    log_path: z.ZodNullable<z.ZodString>;
                }, z.core.$strict>>>;
                reused_from: z.ZodOptional<z.ZodObject<{
                    cache: z.ZodEnum<{
                        local: "local";
                        actions: "actions";
                    }>;
                    location: z.ZodString;
                    stored_at: z.ZodString;
                    key: z.ZodString;
                }, z.core.$strict>>;
            }, z.core.$strict>>;
        }, z.core.$strict>>;
        candidate: z.ZodObject<{
            role: z.ZodEnum<{
                baseline: "baseline";
                candidate: "candidate";
            }>;
            path: z.ZodString;
            commit: z.ZodNullable<z.ZodString>;
            id: z.ZodOptional<z.ZodString>;
            setup: z.ZodNullable<z.ZodObject<{
                outcome: z.ZodEnum<{
                    PASSED: "PASSED";
                    FAILED: "FAILED";
                    TIMEOUT: "TIMEOUT";
                    CRASHED: "CRASHED";
                    ERROR: "ERROR";
                    FLAKY: "FLAKY";
                }>;
                reason: z.ZodString;
                score: z.ZodNullable<z.ZodNumber>;
                duration_ms: z.ZodNumber;
                exit_code: z.ZodNullable<z.ZodNumber>;
                signal: z.ZodNullable<z.ZodString>;
                output: z.ZodObject<{
                    head: z.ZodString;
                    tail: z.ZodString;
                    bytes: z.ZodNumber;
                    truncated: z.ZodBoolean;
                    log_path: z.ZodNullable<z.ZodString>;
                }, z.core.$strict>;
                seed: z.ZodString;
                sandbox: z.ZodEnum<{
                    overlay: "overlay";
                    copy: "copy";
                }>;
                sandbox_root: z.ZodOptional<z.ZodNullable<z.ZodString>>;
                metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
                declaration_error: z.ZodOptional<z.ZodBoolean>;
                attempts: z.ZodOptional<z.ZodArray<z.ZodObject<{
                    repeat: z.ZodNumber;
                    attempt: z.ZodNumber;
                    outcome: z.ZodEnum<{
                        PASSED: "PASSED";
                        FAILED: "FAILED";
                        TIMEOUT: "TIMEOUT";
                        CRASHED: "CRASHED";
                        ERROR: "ERROR";
                    }>;
                    reason: z.ZodString;
                    seed: z.ZodString;
                    started_at: z.ZodString;
                    duration_ms: z.ZodNumber;
                    metrics: z.ZodRecord<z.ZodString, z.ZodNumber>;
                    log_path: z.ZodNullable<z.ZodString>;
                }, z.core.$strict>>>;
                reused_from: z.ZodOptional<z.ZodObject<{
                    cache: z.ZodEnum<{
                        local: "local";
                        actions: "actions";
                    }>;
                    location: z.ZodString;
                    stored_at: z.ZodString;
                    key: z.ZodString;
                }, z.core.$strict>>;
            }, z.core.$strict>>;
        }, z.core.$strict>;
    }, z.core.$strict>;
    sandbox: z.ZodEnum<{
        overlay: "overlay";
        copy: "copy";
    }>;
    config_file: z.ZodNullable<z.ZodString>;
    started_at: z.ZodString;
    duration_ms: z.ZodNumber;
    notices: z.ZodArray<z.ZodString>;
    timing: z.ZodOptional<z.ZodObject<{
        alone: z.ZodLiteral<true>;
        cpu: z.ZodNullable<z.ZodNumber>;
        gate_cpus: z.ZodArray<z.ZodNumber>;
        not_pinned_reason: z.ZodNullable<z.ZodString>;
        calibration_ms: z.ZodArray<z.ZodNumber>;
        noise_pct: z.ZodNullable<z.ZodNumber>;
        calibration_error: z.ZodNullable<z.ZodString>;
    }, z.core.$strict>>;
    audit: z.ZodOptional<z.ZodObject<{
        vacuous: z.ZodEnum<{
            warn: "warn";
            block: "block";
        }>;
        uncovered: z.ZodEnum<{
            warn: "warn";
            block: "block";
        }>;
        vacuity: z.ZodOptional<z.ZodArray<z.ZodObject<{
            check: z.ZodString;
            probed: z.ZodEnum<{
                baseline: "baseline";
                candidate: "candidate";
            }>;
            run: z.ZodObject<{
                outcome: z.ZodEnum<{
                    PASSED: "PASSED";
                    FAILED: "FAILED";
                    TIMEOUT: "TIMEOUT";
                    CRASHED: "CRASHED";
                    ERROR: "ERROR";
                    FLAKY: "FLAKY";
                }>;
                reason: z.ZodString;
                duration_ms: z.ZodNumber;
                exit_code: z.ZodNullable<z.ZodNumber>;
                signal: z.ZodNullable<z.ZodString>;
                seed: z.ZodString;
                log_path: z.ZodNullable<z.ZodString>;
                reused_from: z.ZodOptional<z.ZodObject<{
                    cache: z.ZodEnum<{
                        local: "local";
                        actions: "actions";
                    }>;
                    location: z.ZodString;
                    stored_at: z.ZodString;
                    key: z.ZodString;
                }, z.core.$strict>>;
            }, z.core.$strict>;
            vacuous: z.ZodNullable<z.ZodBoolean>;
        }, z.core.$strict>>>;
        changes: z.ZodOptional<z.ZodObject<{
            checks: z.ZodArray<z.ZodString>;
            max_files: z.ZodNumber;
            files: z.ZodArray<z.ZodObject<{
                path: z.ZodString;
                status: z.ZodEnum<{
                    added: "added";
                    modified: "modified";
                }>;
                sabotage: z.ZodEnum<{
                    throw: "throw";
                    raise: "raise";
                    exit: "exit";
                    emptied: "emptied";
                }>;
                runs: z.ZodArray<z.ZodObject<{
                    check: z.ZodString;
                    run: z.ZodObject<{
                        outcome: z.ZodEnum<{
                            PASSED: "PASSED";
                            FAILED: "FAILED";
                            TIMEOUT: "TIMEOUT";
                            CRASHED: "CRASHED";
                            ERROR: "ERROR";
                            FLAKY: "FLAKY";
                        }>;
                        reason: z.ZodString;
                        duration_ms: z.ZodNumber;
                        exit_code: z.ZodNullable<z.ZodNumber>;
                        signal: z.ZodNullable<z.ZodString>;
                        seed: z.ZodString;
                        log_path: z.ZodNullable<z.ZodString>;
                        reused_from: z.ZodOptional<z.ZodObject<{
                            cache: z.ZodEnum<{
                                local: "local";
                                actions: "actions";
                            }>;
                            location: z.ZodString;
                            stored_at: z.ZodString;
                            key: z.ZodString;
                        }, z.core.$strict>>;
                    }, z.core.$strict>;
                    noticed: z.ZodNullable<z.ZodBoolean>;
                    together: z.ZodOptional<z.ZodLiteral<true>>;
                    broken_together: z.ZodOptional<z.ZodNumber>;
                }, z.core.$strict>>;
                noticed_by: z.ZodArray<z.ZodString>;
                covered: z.ZodNullable<z.ZodBoolean>;
            }, z.core.$strict>>;
            not_audited: z.ZodArray<z.ZodObject<{
                path: z.ZodString;
                why: z.ZodEnum<{
                    ignored: "ignored";
                    "gate-file": "gate-file";
                    binary: "binary";
                    "not-a-file": "not-a-file";
                    "over-cap": "over-cap";
                    "too-large": "too-large";
                    unreadable: "unreadable";
                }>;
            }, z.core.$strict>>;
            not_audited_omitted: z.ZodOptional<z.ZodNumber>;
            note: z.ZodOptional<z.ZodString>;
            runs: z.ZodOptional<z.ZodArray<z.ZodObject<{
                check: z.ZodString;
                runs: z.ZodNumber;
            }, z.core.$strict>>>;
        }, z.core.$strict>>;
    }, z.core.$strict>>;
}, z.core.$strict>;
type Listed<Missing extends never> = Missing;
type Shape<S extends z.ZodType> = z.infer<S>;
export type ReportFieldsListed = [
    Listed<Exclude<keyof Report, keyof Shape<typeof ReportSchema>>>,
    Listed<Exclude<keyof CheckReport, keyof Shape<typeof CheckReportSchema>>>,
    Listed<Exclude<keyof TreeInfo, keyof Shape<typeof TreeInfoSchema>>>,
    Listed<Exclude<keyof RunResult, keyof Shape<typeof RunResultSchema>>>,
    Listed<Exclude<keyof Attempt, keyof Shape<typeof AttemptSchema>>>,
    Listed<Exclude<keyof CapturedOutput, keyof Shape<typeof OutputSchema>>>,
    Listed<Exclude<keyof MetricReport, keyof Shape<typeof MetricReportSchema>>>,
    Listed<Exclude<keyof AuditReport, keyof Shape<typeof AuditReportSchema>>>,
    Listed<Exclude<keyof AuditRun, keyof Shape<typeof AuditRunSchema>>>,
    Listed<Exclude<keyof ReuseOrigin, keyof Shape<typeof ReuseOriginSchema>>>,
    Listed<Exclude<keyof VacuityProbe, keyof Shape<typeof VacuityProbeSchema>>>,
    Listed<Exclude<keyof ChangeAudit, keyof Shape<typeof ChangeAuditSchema>>>,
    Listed<Exclude<keyof FileAudit, keyof Shape<typeof FileAuditSchema>>>,
    Listed<Exclude<keyof SabotagedRun, keyof Shape<typeof SabotagedRunSchema>>>,
    Listed<Exclude<NotAuditedReason, (typeof NOT_AUDITED_REASONS)[number]>>,
    Listed<Exclude<Sabotage, (typeof SABOTAGES)[number]>>,
    Listed<Exclude<Change, (typeof CHANGES)[number]>>,
    Listed<Exclude<SequentialStop, (typeof SEQUENTIAL_STOPS)[number]>>,
    Listed<Exclude<keyof TimingReport, keyof Shape<typeof TimingSchema>>>,
    Listed<Exclude<keyof SequentialReport, keyof Shape<typeof SequentialSchema>>>
];
/** The report in `value`, or why it is not one (one line naming the first bad field). */
export declare function parseReport(value: unknown): {
    ok: true;
    report: Report;
} | {
    ok: false;
    why: string;
};
/**
 * `path.to.field: message` of a zod error's first issue. The text is the schema's own words:
 * names of fields an artifact made up (unknown keys, record keys) are left out or replaced,
 * because they are hostile text that would end up in a check run and the job log.
 */
export declare function firstIssue(error: z.ZodError): string;
export {};
