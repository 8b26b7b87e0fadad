/**
 * When and where work runs: the run queue (claim, lease, heartbeat, reaper, fencing), worker registry and
 * GPU-aware placement, priorities and team quotas, and schedules (cron and data-triggered retraining on
 * clustered Quartz). A library: it defines the small interfaces it needs from the platform and owns no HTTP.
 *
 * <p>The tables it works on ({@code runs} and Quartz's {@code qrtz_*}) are created by {@code db-migrations}.
 */
package dev.canopy.scheduler;
