package dev.canopy.api.team;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response records of the team feature. */
final class TeamRecords {

    /** Team and user names: they appear in URLs, so they are restricted to URL-safe characters. */
    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    static final String NAME_RULE = "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private TeamRecords() {}

    record CreateTeamRequest(@NotBlank @Pattern(regexp = NAME, message = NAME_RULE) String name) {}

    record TeamResponse(UUID id, String name, Instant createdAt, Role role) {}

    record AddMemberRequest(@NotBlank String user, @NotNull Role role) {}

    record MemberResponse(String user, Role role, Instant since) {
        static MemberResponse from(Membership m) {
            return new MemberResponse(m.user.name, m.role, m.createdAt);
        }
    }

    record TeamRole(String name, Role role) {}

    record MeResponse(String user, boolean platformAdmin, List<TeamRole> teams, TokenScope token) {}

    /** What the token used for this request is narrowed to, if anything. */
    record TokenScope(UUID id, String team, Role role) {}

    /**
     * @param maxConcurrentRuns trained runs runners may hold at once for the team; null = no limit
     * @param maxGpus GPUs those runs may hold together; null = no limit
     */
    record QuotaBody(@Min(0) Integer maxConcurrentRuns, @Min(0) Integer maxGpus) {}

    record CreateUserRequest(
            @NotBlank @Pattern(regexp = NAME, message = NAME_RULE) String name, Boolean platformAdmin) {}

    record UserResponse(UUID id, String name, boolean platformAdmin, Instant createdAt) {
        static UserResponse from(User u) {
            return new UserResponse(u.id, u.name, u.platformAdmin, u.createdAt);
        }
    }
}
