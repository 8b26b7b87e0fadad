package dev.canopy.scheduler.schedule;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import java.util.UUID;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;

/** The one-shot Quartz job behind a {@link DataFireBackstops backstop}: the fire of a data schedule for one version. */
@Dependent
public class DataFireJob implements Job {

    static final String SCHEDULE_ID = "scheduleId";
    static final String TEAM_ID = "teamId";
    static final String DATASET_ID = "datasetId";
    static final String VERSION_ID = "versionId";
    static final String VERSION = "version";

    @Inject
    ScheduleFiring firing;

    @Override
    public void execute(JobExecutionContext context) {
        JobDataMap data = context.getMergedJobDataMap();
        firing.fireForVersion(
                UUID.fromString(data.getString(SCHEDULE_ID)),
                UUID.fromString(data.getString(TEAM_ID)),
                UUID.fromString(data.getString(DATASET_ID)),
                UUID.fromString(data.getString(VERSION_ID)),
                Integer.parseInt(data.getString(VERSION)));
    }
}
