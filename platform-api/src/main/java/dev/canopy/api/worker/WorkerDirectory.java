package dev.canopy.api.worker;

import dev.canopy.api.carbon.CarbonConfig;
import dev.canopy.api.carbon.CarbonRecords.IdleEnergy;
import dev.canopy.api.carbon.CarbonService;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.worker.WorkerRecords.Gpu;
import dev.canopy.api.worker.WorkerRecords.WorkerResponse;
import dev.canopy.scheduler.queue.QueueListing;
import dev.canopy.scheduler.worker.Worker;
import dev.canopy.scheduler.worker.WorkerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Lists runners for people. A runner serving another team only, and runs of other teams, stay hidden. */
@ApplicationScoped
class WorkerDirectory {

    @Inject
    WorkerRegistry registry;

    @Inject
    QueueListing queue;

    @Inject
    TeamAccess access;

    @Inject
    CarbonService carbon;

    @Inject
    CarbonConfig carbonConfig;

    List<WorkerResponse> list() {
        Set<UUID> teams = access.readableTeams();
        Map<UUID, List<UUID>> leases = queue.leasesByWorker();
        Map<UUID, UUID> runTeams = queue.teamsOfLeasedRuns();
        Map<UUID, IdleEnergy> idle = carbon.idleByWorker();
        return registry.list().stream()
                .filter(w ->
                        w.info().teamId() == null || teams.contains(w.info().teamId()))
                .map(w -> toResponse(
                        w,
                        idle.getOrDefault(w.id(), new IdleEnergy(0, 0)),
                        leases.getOrDefault(w.id(), List.of()).stream()
                                .filter(run -> teams.contains(runTeams.get(run)))
                                .toList()))
                .toList();
    }

    private WorkerResponse toResponse(Worker w, IdleEnergy idle, List<UUID> runs) {
        return new WorkerResponse(
                w.id(),
                w.info().name(),
                w.state(),
                w.info().teamId(),
                w.info().host(),
                w.info().cpuModel(),
                w.info().cores(),
                w.info().memoryBytes(),
                w.info().gpus().stream()
                        .map(g -> new Gpu(g.index(), g.name(), g.memoryBytes()))
                        .toList(),
                w.info().recipes(),
                w.info().djlVersion(),
                w.info().pytorchVersion(),
                w.info().zone(),
                w.info().pue() == null ? carbonConfig.pue() : w.info().pue(),
                w.info().energyMethods(),
                idle,
                w.registeredAt(),
                w.lastHeartbeatAt(),
                runs);
    }
}
