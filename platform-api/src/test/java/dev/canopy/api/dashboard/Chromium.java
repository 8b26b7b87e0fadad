package dev.canopy.api.dashboard;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium driven through its ChromeDriver, both from the machine (Debian's {@code chromium} and
 * {@code chromium-driver}, or {@code CANOPY_CHROMIUM} and {@code CANOPY_CHROMEDRIVER}); nothing is downloaded. Where
 * they are missing the browser tests are skipped with a message, unless {@code CANOPY_BROWSER_TESTS=required} (set
 * by {@code .ci/run}, which installs them) makes that a failure.
 */
final class Chromium {

    private Chromium() {}

    static ChromeDriver start() {
        Path binary = Path.of(env("CANOPY_CHROMIUM", "/usr/bin/chromium"));
        Path driver = Path.of(env("CANOPY_CHROMEDRIVER", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(binary) || !Files.isExecutable(driver)) {
            String why = "The dashboard tests need Chromium at " + binary + " and ChromeDriver at " + driver
                    + " (apt-get install chromium chromium-driver)";
            if ("required".equals(System.getenv("CANOPY_BROWSER_TESTS"))) {
                fail(why);
            }
            Assumptions.abort(why + "; skipped");
        }
        ChromeOptions options = new ChromeOptions()
                .setBinary(binary.toFile())
                // The machine's network is closed: no background, component or sync traffic to be refused.
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        return new ChromeDriver(service, options);
    }

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }
}
