package dev.canopy.api.team;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

@ApplicationScoped
class ApiTokenRepository implements PanacheRepositoryBase<ApiToken, UUID> {

    Optional<ApiToken> findByHashWithUser(String tokenHash) {
        return find(
                        "select t from ApiToken t join fetch t.user left join fetch t.team where t.tokenHash = ?1",
                        tokenHash)
                .firstResultOptional();
    }

    /** Runner tokens of one team, or of every team and none with {@code teamId} null, oldest first. */
    List<ApiToken> findRunnerTokens(UUID teamId) {
        return teamId == null
                ? find(
                                "select t from ApiToken t join fetch t.user left join fetch t.team where t.kind = ?1"
                                        + " order by t.createdAt",
                                TokenKind.RUNNER)
                        .list()
                : find(
                                "select t from ApiToken t join fetch t.user join fetch t.team where t.kind = ?1 and t.team.id = ?2"
                                        + " order by t.createdAt",
                                TokenKind.RUNNER,
                                teamId)
                        .list();
    }

    /**
     * The tokens made with {@code tokenId} (locked by the caller), and those made with them, down the line, each
     * locked until the transaction ends. A token being made right now with one of them (which holds its maker with
     * {@code FOR SHARE}, see {@code TokenService}) either committed before the lock and is found by the next round,
     * or waits for it and then finds its maker revoked. Each round locks generation by generation, parents before
     * children, so that two cascades of which one revokes the other's root never hold each other's tokens in a cycle.
     */
    List<ApiToken> madeWithLocked(UUID tokenId) {
        Set<UUID> locked = new HashSet<>();
        while (true) {
            Map<Integer, List<UUID>> fresh = new TreeMap<>();
            offspring(tokenId).stream().filter(o -> !locked.contains(o.id())).forEach(o -> fresh.computeIfAbsent(
                            o.depth(), d -> new ArrayList<>())
                    .add(o.id()));
            if (fresh.isEmpty()) {
                break;
            }
            for (List<UUID> generation : fresh.values()) {
                find("id in ?1", generation)
                        .withLock(LockModeType.PESSIMISTIC_WRITE)
                        .list();
                locked.addAll(generation);
            }
        }
        return locked.isEmpty()
                ? List.of()
                : find("select t from ApiToken t join fetch t.user left join fetch t.team where t.id in ?1", locked)
                        .list();
    }

    private record Offspring(UUID id, int depth) {}

    @SuppressWarnings("unchecked")
    private List<Offspring> offspring(UUID tokenId) {
        List<Object[]> rows = getEntityManager()
                .createNativeQuery("WITH RECURSIVE offspring (id, depth) AS ("
                        + " SELECT id, 1 FROM api_tokens WHERE made_with = ?1"
                        + " UNION SELECT t.id, o.depth + 1 FROM api_tokens t JOIN offspring o ON t.made_with = o.id)"
                        + " SELECT id, depth FROM offspring")
                .setParameter(1, tokenId)
                .getResultList();
        return rows.stream()
                .map(r -> new Offspring((UUID) r[0], ((Number) r[1]).intValue()))
                .toList();
    }

    List<ApiToken> findByUser(UUID userId) {
        return find(
                        "select t from ApiToken t join fetch t.user left join fetch t.team where t.user.id = ?1"
                                + " order by t.createdAt",
                        userId)
                .list();
    }
}
