package dev.canopy.api.team;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.Forbidden;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.InvalidState;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.error.Unauthenticated;
import dev.canopy.api.team.TokenRecords.CreateRunnerTokenRequest;
import dev.canopy.api.team.TokenRecords.CreateTokenRequest;
import dev.canopy.api.team.TokenRecords.CreatedTokenResponse;
import dev.canopy.api.team.TokenRecords.TokenResponse;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Issues, lists, revokes and checks API tokens. */
@ApplicationScoped
public class TokenService {

    /** PostgreSQL stores timestamps up to the year 294276; years past 9999 are a mistake, not a wish. */
    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    @Inject
    ApiTokenRepository tokens;

    @Inject
    UserRepository users;

    @Inject
    TeamRepository teams;

    @Inject
    MembershipRepository memberships;

    @Inject
    CurrentCaller currentCaller;

    @Inject
    TeamAccess access;

    @Inject
    AccessCache cache;

    @Inject
    Event<AccessChanged> accessChanged;

    /**
     * The caller of the token whose secret has this hash ({@link TokenSecrets#hash}), if the token exists, is not
     * revoked and has not expired. Cached between requests by {@link AccessCache}, which drops its entries when
     * tokens, users or memberships change.
     */
    Optional<Caller> authenticateHash(String hash) {
        Instant now = DatabaseTime.now();
        return cache.token(hash, () -> tokens.findByHashWithUser(hash)
                        .filter(t -> t.isUsableAt(now))
                        .map(t -> new AccessCache.TokenCaller(
                                new Caller(
                                        t.user.id,
                                        t.user.name,
                                        t.user.platformAdmin,
                                        t.id,
                                        t.team == null ? null : t.team.id,
                                        t.role,
                                        t.kind),
                                t.expiresAt)))
                .filter(t -> t.usableAt(now))
                .map(AccessCache.TokenCaller::caller);
    }

    /** Whether a token still works (exists, not revoked, not expired). */
    public boolean isActive(UUID tokenId) {
        return tokens.findByIdOptional(tokenId)
                .filter(t -> t.isUsableAt(DatabaseTime.now()))
                .isPresent();
    }

    /** A new token for the caller, never wider than the token making the request, nor outliving it. */
    @Transactional
    CreatedTokenResponse createForCaller(CreateTokenRequest request) {
        Caller caller = currentCaller.get();
        User user = users.findById(caller.userId());
        String team = request.team();
        if (caller.tokenTeamId() != null) {
            String callerTeam = teams.findById(caller.tokenTeamId()).name;
            if (team != null && !team.equals(callerTeam)) {
                throw new NotFound("team", team);
            }
            team = callerTeam;
        }
        Role role = request.role() == null ? caller.tokenRole() : request.role().min(caller.tokenRole());
        return issue(user, new CreateTokenRequest(request.name(), team, role, notAfterCaller(request.expiresAt())));
    }

    /**
     * {@code requested} capped at the expiry of the token making the request: a token never outlives the one that
     * made it, whichever kind it is and for whichever user, so a short-lived or stolen token cannot mint a lasting
     * one.
     */
    private Instant notAfterCaller(Instant requested) {
        // The request's own value, before it is capped: a year past 9999 is refused whatever the caller's expiry.
        if (requested != null && requested.isAfter(LATEST_EXPIRY)) {
            throw new InvalidRequest("expiresAt", "must be before the year 10000 (or left out: no expiry)");
        }
        // Held (FOR SHARE) until the new token is committed, and read again now: a token revoked since the request
        // was authenticated (from the cache, say) makes nothing, and a revocation with cascade that comes while
        // this one is made waits for it and then revokes it too.
        ApiToken caller = tokens.findById(currentCaller.get().tokenId(), LockModeType.PESSIMISTIC_READ);
        if (caller == null || !caller.isUsableAt(DatabaseTime.now())) {
            throw new Unauthenticated("The bearer token is unknown, revoked or expired");
        }
        Instant parent = caller.expiresAt;
        if (parent == null) {
            return requested;
        }
        return requested == null || requested.isAfter(parent) ? parent : requested;
    }

    /**
     * A new token for another user: platform admins only, and only while the user has no usable token of their own.
     * This is how a new user gets a first token, or one whose tokens were all revoked (lost) a new one; it is not a way
     * for a platform admin to act as a user who has tokens, in teams the admin is not in.
     */
    @Transactional
    CreatedTokenResponse createForUser(String userName, CreateTokenRequest request) {
        Caller caller = currentCaller.get();
        if (!caller.actsAsPlatformAdmin()) {
            throw new Forbidden("Only a platform admin may issue tokens for other users");
        }
        // Locked: two first tokens issued at once would both find none.
        User user = users.find("name", userName)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional()
                .orElseThrow(() -> new NotFound("user", userName));
        Instant now = DatabaseTime.now();
        long usable = tokens.findByUser(user.id).stream()
                .filter(t -> t.kind == TokenKind.USER && t.isUsableAt(now))
                .count();
        if (usable > 0 && !user.id.equals(caller.userId())) {
            throw new InvalidState("user " + user.name + " has " + usable + " usable token(s): they make further"
                    + " tokens themselves (POST /api/v1/tokens). A platform admin issues a user's first token, or a"
                    + " new one once all of theirs are revoked");
        }
        Log.infof("User %s is issued a token by platform admin %s", user.name, caller.userName());
        return issue(
                user,
                new CreateTokenRequest(
                        request.name(), request.team(), request.role(), notAfterCaller(request.expiresAt())));
    }

    /** Issues a token without a caller; used once, by the first start. */
    @Transactional
    CreatedTokenResponse createBootstrapToken(User user, String name) {
        return issue(user, TokenKind.USER, new CreateTokenRequest(name, null, null, null), null);
    }

    /** The caller's tokens that the token making the request covers (see {@link #covers}). */
    List<TokenResponse> listOwn() {
        Caller caller = currentCaller.get();
        return tokens.findByUser(caller.userId()).stream()
                .filter(t -> covers(caller, t))
                .map(TokenResponse::from)
                .toList();
    }

    /**
     * Runner tokens of a team, whoever made them: for its admins, who can revoke them too (a runner token outlives
     * its maker's membership). Without a team, every runner token: platform admins only.
     */
    @Transactional
    public List<TokenResponse> listRunnerTokens(String team) {
        if (team == null) {
            if (!currentCaller.get().actsAsPlatformAdmin()) {
                throw new Forbidden("Only a platform admin may list the runner tokens of every team; name a team");
            }
            return tokens.findRunnerTokens(null).stream()
                    .map(TokenResponse::from)
                    .toList();
        }
        TeamScope scope = access.require(team, Role.ADMIN);
        return tokens.findRunnerTokens(scope.teamId()).stream()
                .map(TokenResponse::from)
                .toList();
    }

    /**
     * Whether the token making the request may see and revoke another token of its user: a token narrowed to a team
     * or capped at a role covers itself and the tokens no wider than it, not the user's wider ones.
     */
    static boolean covers(Caller caller, ApiToken token) {
        if (token.id.equals(caller.tokenId()) || (caller.tokenTeamId() == null && caller.tokenRole() == null)) {
            return true;
        }
        boolean team =
                caller.tokenTeamId() == null || (token.team != null && token.team.id.equals(caller.tokenTeamId()));
        boolean role = caller.tokenRole() == null
                || (token.role != null && caller.tokenRole().atLeast(token.role));
        return team && role;
    }

    /**
     * A token for a runner. A platform admin's runner serves every team; a team admin's serves that team only.
     * Runner tokens speak the worker protocol and nothing else.
     */
    @Transactional
    public CreatedTokenResponse createRunnerToken(CreateRunnerTokenRequest request) {
        Caller caller = currentCaller.get();
        User user = users.findById(caller.userId());
        if (request.team() == null) {
            if (!caller.actsAsPlatformAdmin()) {
                throw new Forbidden("Only a platform admin may create runner tokens for every team; name a team");
            }
            return issue(
                    user,
                    TokenKind.RUNNER,
                    new CreateTokenRequest(request.name(), null, null, notAfterCaller(request.expiresAt())));
        }
        access.require(request.team(), Role.ADMIN);
        return issue(
                user,
                TokenKind.RUNNER,
                new CreateTokenRequest(request.name(), request.team(), null, notAfterCaller(request.expiresAt())));
    }

    /**
     * The secret of a fresh token for a runner embedded in this control plane, owned by the first platform admin;
     * the earlier embedded runners' tokens of the same name are revoked, so that restarts leave no live tokens
     * behind. Only those: made by no request, of no team, owned by that admin (a team's runner token given the same
     * name, which anyone can read off the workers list, was revoked at each restart).
     */
    @Transactional
    public String issueEmbeddedRunnerToken(String name) {
        Instant now = DatabaseTime.now();
        User admin = users.find("platformAdmin = true order by createdAt").firstResult();
        tokens.list(
                        "kind = ?1 and name = ?2 and revokedAt is null and madeWith is null and team is null"
                                + " and user = ?3",
                        TokenKind.RUNNER,
                        name,
                        admin)
                .forEach(t -> t.revoke(now));
        accessChanged.fire(new AccessChanged());
        return issue(admin, TokenKind.RUNNER, new CreateTokenRequest(name, null, null, null), null)
                .token();
    }

    private CreatedTokenResponse issue(User user, CreateTokenRequest request) {
        return issue(user, TokenKind.USER, request);
    }

    /** A token made on a request: the token making the request is recorded as its maker. */
    private CreatedTokenResponse issue(User user, TokenKind kind, CreateTokenRequest request) {
        return issue(user, kind, request, currentCaller.get().tokenId());
    }

    private CreatedTokenResponse issue(User user, TokenKind kind, CreateTokenRequest request, UUID madeWith) {
        Instant now = DatabaseTime.now();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw new InvalidRequest("expiresAt", "must be in the future");
        }
        if (request.expiresAt() != null && request.expiresAt().isAfter(LATEST_EXPIRY)) {
            throw new InvalidRequest("expiresAt", "must be before the year 10000 (or left out: no expiry)");
        }
        Team team = null;
        Role role = request.role();
        if (request.team() != null) {
            team = teams.findByName(request.team()).orElseThrow(() -> new NotFound("team", request.team()));
            Membership membership = memberships
                    .findByTeamAndUser(team.id, user.id)
                    .orElseThrow(() -> new NotFound("team", request.team()));
            if (role != null && !membership.role.atLeast(role)) {
                throw new InvalidRequest("role", "cannot exceed the user's role " + membership.role + " in the team");
            }
        }
        String secret = TokenSecrets.newSecret();
        ApiToken token = new ApiToken(
                user, kind, request.name(), TokenSecrets.hash(secret), team, role, request.expiresAt(), now);
        token.madeWith = madeWith;
        tokens.persist(token);
        Log.infof("Token %s ('%s') issued to user %s", token.id, token.name, user.name);
        return new CreatedTokenResponse(
                token.id,
                token.name,
                secret,
                user.name,
                team == null ? null : team.name,
                role,
                token.expiresAt,
                token.createdAt);
    }
}
