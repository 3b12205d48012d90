/** Usage texts. Kept next to the flag tables so `--help` cannot drift from what is parsed. */

export const MAIN_HELP = `Usage: metallb-chatops <command> [flags]

Finds drifted MetalLB configuration in a Kubernetes cluster or in a dump of one.

Commands:
  check    report drift, from a live cluster or from dump files (--from-file)
  dump     write a dump of a live cluster (or of dump files) in the layout check --from-file reads
  preview  what applying proposed MetalLB config (-f FILE|DIR) would do to services, pools and findings
  apply    apply proposed MetalLB config (-f FILE|DIR) one object at a time, restoring the backup on a surprise
  plan     print the plan of a fix against the live cluster; changes nothing
  fix      run a fix (after confirmation or --yes), with the same plans, Lease and steps as the bot
  backup   write a backup file of the MetalLB config and every service's IPs (--out FILE)
  restore  make the config equal to a backup file (--from FILE), keeping every service's IP
  serve    run the Slack bot (/metallb), with job workers unless WORKERS=0
  worker   run job workers only, to scale checks out across replicas
  mutes    export the mutes made in Slack (mutes export --cluster NAME) as a check --ignore file

Run "metallb-chatops <command> --help" for the flags of a command.

Global flags:
  --help       show this help
  --version    print the version

Exit status: 0 no finding reaches --fail-on, 1 one does, 2 error (nothing is printed on stdout then).
fix/restore/apply: 0 done, 1 a postcondition failed or rolled back (reapply/restore/apply: config restored), 2
nothing changed, 3 something is left after a failed rollback (printed).
`;

const LIVE_FLAGS = `  --kubeconfig PATH          kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)
  --context NAME             kubeconfig context (default: the current context)
  --concurrency N            API requests at once (default 8)
  --request-timeout DURATION per-request timeout, e.g. 500ms, 30s, 1.5m (default 30s)
  --quiet                    no progress lines on stderr`;

export const CHECK_HELP = `Usage: metallb-chatops check [--from-file PATH]... [flags]

Reports drifted MetalLB configuration. Without --from-file it reads the live cluster.

Input:
  --from-file PATH           a YAML/JSON file (objects, multi-document, kind: List), a dump directory
                             (with logs/<ns>/<pod>.log and metrics/<ns>/<pod>.prom), or - for stdin; repeatable
${LIVE_FLAGS}
  (--from-file cannot be combined with --kubeconfig or --context)

Report:
  --output table|json|markdown   output format (default table; coloured only on a terminal)
  --now ISO-8601                 time the report is made at (default now), for reproducible reports
  --fail-on critical|warning|info|none   lowest severity that makes the exit status 1 (default warning)
  --metallb-namespace NAME       MetalLB's namespace (default: found from the controller's labels)
  --ignore FILE                  mutes: a YAML list of {id, findingId | code [kind, namespace, name], reason, expires}
  --help                         show this help
`;

export const PREVIEW_HELP = `Usage: metallb-chatops preview -f PROPOSED [-f MORE]... [--prune] [--from-file DUMP]... [flags]

Says what applying MetalLB config objects (IPAddressPool, L2Advertisement, BGPAdvertisement, BGPPeer, BFDProfile,
Community) would do, by MetalLB's rules for the version running: which services keep their IPs, which lose them
and get a new one from which pool (the address itself where MetalLB's choice is certain), which stay pending and
why, what MetalLB refuses as a whole config (then nothing in it takes effect; below 0.14.2 also a config that
strands an assigned IP), pools no longer advertised, advertisements that change pools, pools nearly exhausted,
and the drift findings the change adds or resolves. Reads only; nothing is applied.

Proposal:
  -f, --file PATH            a YAML/JSON file or a directory of them (- for stdin); repeatable. Other kinds
                             (a Kustomization, Secrets) and other namespaces are left out with a note
  --prune                    the files are the complete config of the MetalLB namespace: config objects they do
                             not name are deleted (a GitOps directory). Without it they only create or replace

Cluster (today's state):
  --from-file PATH           a dump (as check --from-file reads), e.g. a nightly "metallb-chatops dump"; repeatable
${LIVE_FLAGS}
  (without --from-file the live cluster is read, read-only RBAC is enough)

Report:
  --output table|json|markdown   output format (default table); markdown is made for a pull request comment
  --fail-on critical|warning|info|none   lowest severity that makes the exit status 1 (default warning):
                             critical: a rejection, a service left without an IP; warning: a service changes IP,
                             a pool holding IPs is no longer advertised; info: anything else the preview reports
  --now ISO-8601                 time the preview is made at (default now)
  --metallb-namespace NAME       MetalLB's namespace (default: found from the controller's labels)
  --help                         show this help

Exit status: 0 nothing reaches --fail-on (with the default: no service changes address and nothing is rejected),
1 something does, 2 error.
`;

export const DUMP_HELP = `Usage: metallb-chatops dump --out DIR [flags]

Writes a dump (objects as YAML per kind, logs/, metrics/) that "check --from-file DIR" reads, e.g. to attach to
a ticket. DIR must be empty or not exist.

  --out DIR                  where to write (required)
  --from-file PATH           re-write dump files instead of reading a cluster; repeatable
${LIVE_FLAGS}
  --metallb-namespace NAME   MetalLB's namespace (default: found from the controller's labels)
  --now ISO-8601             time log windows are relative to (default now)
  --help                     show this help
`;

const BOT_SETTINGS = `Settings come from the environment (see README, "Settings"): SLACK_MODE, SLACK_BOT_TOKEN, SLACK_APP_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL, PORT, REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_NAME, REDIS_PREFIX, KUBECONFIG,
CLUSTERS, METALLB_NAMESPACE, OPERATORS, WORKERS, CLUSTER_CONCURRENCY, API_TIMEOUT, API_CONCURRENCY,
SINGLE_FLIGHT_WINDOW, JOB_LOCK_DURATION, JOB_STALLED_INTERVAL, LOG_LEVEL. Every bad setting is reported at once
and the process exits 2. SIGTERM stops taking work, lets running checks finish, and exits 0.`;

export const SERVE_HELP = `Usage: metallb-chatops serve

Runs the Slack bot: Socket Mode by default (SLACK_APP_TOKEN), HTTP with SLACK_MODE=http (SLACK_SIGNING_SECRET,
events at /slack/events). Also runs job workers unless WORKERS=0. Serves /healthz, /readyz and /metrics on PORT.

${BOT_SETTINGS}
`;

export const WORKER_HELP = `Usage: metallb-chatops worker

Runs job workers (checks) and the Slack outbox sender without the Slack front, so checks scale out across
replicas. Serves /healthz, /readyz and /metrics on PORT.

${BOT_SETTINGS}
`;

const FIX_FLAGS = `  --settle-timeout DURATION  bound of each wait on MetalLB (default 5m, as FIX_SETTLE_TIMEOUT)
  --lease-wait DURATION      how long to wait for another fix's Lease on the cluster (default 5m)
  --force                    take over the fix Lease when it has EXPIRED (prints who held it and since when)
  --backup-dir DIR           where the backup taken first is written, mode 0600 (default: the current directory)
  --yes                      do not ask for confirmation (required when stdin is not a terminal)
  --output table|json|markdown   how the plan and the result are printed (default table); json: one JSON
                             document on stdout at the end (the preview too, for apply), progress on stderr`;

export const PLAN_HELP = `Usage: metallb-chatops plan <fix> [targets...] [flags]

Prints the plan of a fix against the live cluster and changes nothing. Fixes: ${'backup, restart-controller, restart-speakers, reapply-config, release-ip, clear-stale-annotation, restore'}
(apply-config is "apply -f FILE").
release-ip and clear-stale-annotation take Service namespace/names or finding ids (none: every service with such a
finding); restore takes --from FILE.

  --output table|json|markdown   output format (default table); json: the plan, or when none is built the
                                 outcome (kind nothing-to-fix or refused), as one document
  --from FILE                    the backup file of a restore
${LIVE_FLAGS}
  --metallb-namespace NAME       MetalLB's namespace (default: found from the controller's labels)
  --help                         show this help
`;

export const FIX_HELP = `Usage: metallb-chatops fix <fix> [targets...] [flags]

Prints the plan, asks for confirmation (or --yes), takes the cluster's fix Lease and a backup, then runs the plan
step by step with progress on stderr, and ends with the before/after comparison. Same plans, Lease and steps as
the Slack bot.

${FIX_FLAGS}
  --from FILE                the backup file of "fix restore"
${LIVE_FLAGS}
  --metallb-namespace NAME   MetalLB's namespace (default: found from the controller's labels)
  --help                     show this help

Exit status: 0 done; 1 a postcondition failed (reapply-config/restore: the config was restored); 2 nothing was
changed (error, refusal, no confirmation, Lease held); 3 changes were made and could not be fully rolled back
(what is left is printed).
`;

export const RESTORE_HELP = `Usage: metallb-chatops restore --from FILE [flags]

Makes the MetalLB config equal to a backup file (create missing, replace changed, delete extra objects), object by
object with the services pinned to their IPs; accepts a redacted file downloaded from Slack (a BGPPeer keeps the
password the cluster has).

  --from FILE                the backup file (required)
${FIX_FLAGS}
${LIVE_FLAGS}
  --help                     show this help

Exit status: as for fix.
`;

export const BACKUP_HELP = `Usage: metallb-chatops backup --out FILE [--redact] [flags]

Writes a backup of the MetalLB config objects and every handled service's IPs (the format restore --from reads),
with mode 0600. BGPPeer passwords are kept unless --redact.

  --out FILE                 where to write (required)
  --redact                   omit BGPPeer passwords
${LIVE_FLAGS}
  --metallb-namespace NAME   MetalLB's namespace (default: found from the controller's labels)
  --help                     show this help
`;

export const MUTES_HELP = `Usage: metallb-chatops mutes export --cluster NAME [--out FILE]

Writes the mutes made in Slack (/metallb mute) for one cluster, in force now, as the YAML that
"check --ignore FILE" reads, so CI hides what the channel accepted. Reads the bot's Redis: REDIS_URL (or
REDIS_SENTINELS and REDIS_SENTINEL_NAME) and REDIS_PREFIX, as the bot has them.

Flags:
  --cluster NAME   the cluster, as named in CLUSTERS (required)
  --out FILE       write to FILE instead of stdout
`;

export const APPLY_HELP = `Usage: metallb-chatops apply -f PROPOSED [-f MORE]... [--prune] [--yes] [flags]

Applies MetalLB config objects the guarded way: prints the preview (as "preview" does) and the plan, asks for
confirmation (or --yes), takes the cluster's fix Lease and a backup (to a file, mode 0600), re-checks the preview
against a fresh read, then applies one object at a time in a safe order (new pools before the advertisements that
name them, advertisements before the pools they stop naming are deleted). After each object it waits for the
controller to reload or reject the config, and checks that the services the preview said would move got new IPs
inside their pools and that every other service kept its own. A rejection, or a service moving that should not,
stops the apply and restores the backup; stdout says which object and why. A proposal the preview rejects (an
overlapping pool, a missing BFD profile, a label selector MetalLB refuses, ...) is refused and never applied.
Progress goes to stderr.

Proposal:
  -f, --file PATH            a YAML/JSON file or a directory of them; repeatable (- for stdin, with --yes)
  --prune                    the files are the complete config of the MetalLB namespace: config objects they do
                             not name are deleted

${FIX_FLAGS}
  --now ISO-8601             time the preview is made at (default now)
${LIVE_FLAGS}
  --metallb-namespace NAME   MetalLB's namespace (default: found from the controller's labels)
  --help                     show this help

Exit status: 0 applied; 1 rolled back, or a postcondition failed and the config was restored; 2 nothing was
changed (error, refusal by the preview, no confirmation, Lease held); 3 changes were made and could not be fully
rolled back (what is left is printed).
`;
