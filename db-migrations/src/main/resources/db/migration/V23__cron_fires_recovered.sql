-- Cron schedules' jobs ask Quartz to run a fire again when the control plane running it dies before it ends (a
-- fire's key is its scheduled time, so a fire that did commit launches nothing the second time). Jobs stored
-- before did not ask: a fire cut short by a crash was lost.
UPDATE qrtz_job_details SET requests_recovery = true WHERE job_group = 'canopy-schedules';
