package dev.canopy.api.team;

import dev.canopy.scheduler.signal.DatabaseSignals;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Who a token stands for, and a user's membership in a team, cached between requests so that an authenticated
 * request needs no query. Correctness rests on invalidation, not on a short lifetime:
 *
 * <ul>
 *   <li>Triggers on {@code api_tokens}, {@code users}, {@code teams} and {@code memberships} send a NOTIFY on
 *       {@value #CHANNEL} when a row changes or goes (V10); every control plane drops its entries when it hears
 *       one, a few milliseconds after the commit.
 *   <li>The control plane that made the change drops them itself right after its commit ({@link AccessChanged}),
 *       so there the next request sees the change.
 *   <li>While the listener is not connected, nothing is cached or served from the cache (a missed NOTIFY cannot
 *       leave a stale entry), and each reconnection starts from empty.
 *   <li>Entries carry the generation they were read in; a read that raced with an invalidation is not kept.
 *   <li>Only found, usable rows are cached; a token's expiry is checked on every use. Entries older than
 *       {@code canopy.auth.cache-max-age} are read again.
 * </ul>
 */
@ApplicationScoped
public class AccessCache implements DatabaseSignals.Subscriber {

    static final String CHANNEL = "canopy_access_changed";

    /** Past this many entries in one map, the map starts over (a bound on memory, not a policy). */
    static final int MAX_ENTRIES = 10_000;

    /** A user's membership in a team as an access check needs it. */
    record Member(UUID teamId, String teamName, Role role) {}

    /** A token's caller, and when the token expires (null: never). */
    record TokenCaller(Caller caller, Instant expiresAt) {

        boolean usableAt(Instant now) {
            return expiresAt == null || expiresAt.isAfter(now);
        }
    }

    private record MemberKey(UUID userId, String teamName) {}

    private record Entry<V>(V value, long generation, long loadedNanos) {}

    @Inject
    DatabaseSignals signals;

    @Inject
    AccessConfig config;

    private final ConcurrentHashMap<String, Entry<TokenCaller>> tokens = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<MemberKey, Entry<Member>> members = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;

    void start(@Observes StartupEvent event) {
        if (!config.cacheMaxAge().isZero()) {
            signals.subscribe(CHANNEL, this);
        }
    }

    /** The caller of the token with this hash, from the cache or from {@code load}. */
    Optional<TokenCaller> token(String tokenHash, Supplier<Optional<TokenCaller>> load) {
        return lookup(tokens, tokenHash, load);
    }

    /** The user's membership in the named team, from the cache or from {@code load}. */
    Optional<Member> member(UUID userId, String teamName, Supplier<Optional<Member>> load) {
        return lookup(members, new MemberKey(userId, teamName), load);
    }

    private <K, V> Optional<V> lookup(ConcurrentHashMap<K, Entry<V>> map, K key, Supplier<Optional<V>> load) {
        long now = System.nanoTime();
        long current = generation.get();
        Entry<V> entry = map.get(key);
        if (listening
                && entry != null
                && entry.generation() == current
                && now - entry.loadedNanos() < config.cacheMaxAge().toNanos()) {
            return Optional.of(entry.value());
        }
        Optional<V> loaded = load.get();
        // Kept only if nothing was invalidated while it was read, and invalidations are being heard.
        if (loaded.isPresent() && listening && generation.get() == current) {
            if (map.size() >= MAX_ENTRIES) {
                map.clear();
            }
            map.put(key, new Entry<>(loaded.get(), current, now));
        }
        return loaded;
    }

    /** Whether changes are being heard, and so whether anything is cached. */
    boolean isListening() {
        return listening;
    }

    void afterChange(@Observes(during = TransactionPhase.AFTER_COMPLETION) AccessChanged change) {
        invalidate();
    }

    @Override
    public void notified() {
        invalidate();
    }

    @Override
    public void listening(boolean listening) {
        invalidate();
        this.listening = listening;
        invalidate();
    }

    private void invalidate() {
        generation.incrementAndGet();
        tokens.clear();
        members.clear();
    }
}
