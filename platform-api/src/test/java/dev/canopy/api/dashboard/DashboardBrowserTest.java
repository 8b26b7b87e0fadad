package dev.canopy.api.dashboard;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static dev.canopy.api.TestApi.queueSpecies;
import static dev.canopy.api.TestApi.unique;
import static dev.canopy.api.worker.FakeRunner.energy;
import static dev.canopy.api.worker.FakeRunner.part;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.TestApi;
import dev.canopy.api.worker.FakeRunner;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser against the real API: sign-in, the team's datasets, runs, energy and budget, the
 * run filter and its errors, switching teams, and names shown as text.
 */
@QuarkusTest
class DashboardBrowserTest {

    private static ChromeDriver browser;

    @TestHTTPResource("/")
    URL dashboard;

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** Each test starts signed out on a fresh page (of the one browser the class starts, or is skipped without). */
    @BeforeEach
    void signedOut() {
        if (browser == null) {
            browser = Chromium.start();
        }
        browser.get(dashboard.toString());
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
    }

    @Test
    void showsTheTeamsDatasetsRunsEnergyAndBudget() {
        TestApi.Member user = TestApi.newMemberWithToken(null, null);
        String team = newTeam();
        user.join(team, "ADMIN");
        newPenguins(user.token(), team, "penguins");
        String tracked = tracked(user.token(), team, "baseline", 0.95);
        trainedInFrance(user.token(), team, "baseline", 1.0);
        as(user.token())
                .body(Map.of("monthlyKgCo2e", 0.1, "warnPercent", 50))
                .put("/api/v1/teams/{t}/carbon/budget", team)
                .then()
                .statusCode(200);

        signIn(user.token());
        waitForText(By.id("who"), user.user());
        assertThat(new Select(browser.findElement(By.id("team")))
                        .getFirstSelectedOption()
                        .getText())
                .isEqualTo(team);
        waitForRows("datasets", 1);
        assertThat(cells("datasets")).singleElement().satisfies(row -> assertThat(row)
                .startsWith("penguins", "1"));
        waitForRows("runs", 2);
        assertThat(cells("runs"))
                .anySatisfy(row -> assertThat(row.subList(0, 5))
                        .containsExactly(tracked, "baseline", "RUNNING", row.get(3), "acc=0.95"))
                .anySatisfy(row -> {
                    assertThat(row.get(2)).isEqualTo("FINISHED");
                    assertThat(row.get(5)).isEqualTo("1.00 kWh");
                    assertThat(row.get(6)).startsWith("56.0 g (");
                });
        waitForRows("carbon", 1);
        assertThat(cells("carbon"))
                .containsExactly(List.of(YearMonth.now(ZoneOffset.UTC).toString(), "1.00 kWh", "56.0 g", "1"));
        assertThat(text(By.id("budget"))).startsWith("Budget 0.1 kg CO2e for ").contains("56.0 g used (56.0 %");
        assertThat(text(By.id("error"))).isEmpty();

        // The token stays for the browser tab: a reload shows the same, signed in.
        browser.navigate().refresh();
        waitForText(By.id("who"), user.user());
        waitForRows("runs", 2);
    }

    @Test
    void aFailedSignInLeavesNothingOfThePreviousUserOnScreen() {
        String team = newTeam();
        String token = newMember(team, "ADMIN");
        tracked(token, team, "baseline", 0.5);
        signIn(token);
        waitForRows("runs", 1);

        signIn("not-a-token");
        waitForText(By.id("error"), "The bearer token is unknown, revoked or expired");
        assertThat(text(By.id("who"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("#team option"))).isEmpty();
        assertThat(rowCount("runs") + rowCount("datasets") + rowCount("carbon")).isZero();
        assertThat(text(By.id("budget"))).isEmpty();
    }

    @Test
    void theFilterNarrowsTheRunsAndABadFilterSaysWhyUntilItIsFixed() {
        String team = newTeam();
        String token = newMember(team, "ADMIN");
        String good = tracked(token, team, "baseline", 0.95);
        tracked(token, team, "other", 0.5);
        signIn(token);
        waitForRows("runs", 2);

        search("metrics.acc > 0.9");
        waitForRows("runs", 1);
        assertThat(cells("runs").get(0).get(0)).isEqualTo(good);

        search("metrics.acc >");
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(b -> !text(By.id("error")).isEmpty());
        assertThat(text(By.id("error"))).contains("position");
        assertThat(cells("runs")).singleElement().satisfies(row -> assertThat(row.get(0))
                .isEqualTo(good));

        search("");
        waitForRows("runs", 2);
        assertThat(text(By.id("error"))).isEmpty();
    }

    @Test
    void switchingTeamsShowsOnlyTheChosenTeamEvenWhenTheOtherAnswersLate() {
        TestApi.Member user = TestApi.newMemberWithToken(null, null);
        String slow = newTeam();
        String fast = newTeam();
        user.join(slow, "ADMIN");
        user.join(fast, "ADMIN");
        String slowRun = tracked(user.token(), slow, "baseline", 0.5);
        String fastRun = tracked(user.token(), fast, "baseline", 0.7);
        signIn(user.token());
        waitForText(By.id("who"), user.user());
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(b -> rowCount("runs") == 1);

        choose(fast);
        waitForRows("runs", 1);
        waitForFirstRun(fastRun);
        choose(slow);
        waitForRows("runs", 1);
        waitForFirstRun(slowRun);

        // The slow team's answers now take a second and are counted when they arrive: switching to it and at once
        // back must end on the fast team, after the slow team's four answers came.
        browser.executeScript(
                "const slow = '/teams/' + arguments[0] + '/';"
                        + "const fetch0 = window.fetch;"
                        + "window.lateAnswers = 0;"
                        + "window.fetch = (url, options) => url.includes(slow)"
                        + " ? new Promise((done) => setTimeout(done, 1000)).then(() => fetch0(url, options))"
                        + "     .finally(() => window.lateAnswers++)"
                        + " : fetch0(url, options);",
                slow);
        choose(fast);
        waitForFirstRun(fastRun);
        choose(slow);
        choose(fast);
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(b -> ((Number) browser.executeScript("return window.lateAnswers")).intValue() == 4);
        // Answers are handled after the fetch settles: one more turn of the page's event loop.
        browser.executeAsyncScript("setTimeout(arguments[arguments.length - 1], 100)");
        assertThat(cells("runs")).singleElement().satisfies(row -> assertThat(row.get(0))
                .isEqualTo(fastRun));
        assertThat(new Select(browser.findElement(By.id("team")))
                        .getFirstSelectedOption()
                        .getText())
                .isEqualTo(fast);
    }

    /** A switch to a team whose answers fail shows the error and nothing of the team shown before, under its name. */
    @Test
    void aTeamWhoseAnswersFailLeavesNothingOfTheTeamShownBefore() {
        TestApi.Member user = TestApi.newMemberWithToken(null, null);
        String shown = newTeam();
        String failing = newTeam();
        user.join(shown, "ADMIN");
        user.join(failing, "ADMIN");
        String run = tracked(user.token(), shown, "baseline", 0.5);
        signIn(user.token());
        waitForText(By.id("who"), user.user());
        choose(shown);
        waitForFirstRun(run);

        browser.executeScript(
                "const failing = '/teams/' + arguments[0] + '/';"
                        + "const fetch0 = window.fetch;"
                        + "window.fetch = (url, options) => url.includes(failing)"
                        + " ? Promise.resolve(new Response('{\"code\":\"INTERNAL\",\"message\":\"boom\"}',"
                        + "     {status: 500, headers: {'Content-Type': 'application/json'}}))"
                        + " : fetch0(url, options);",
                failing);
        choose(failing);
        waitForText(By.id("error"), "boom");
        assertThat(rowCount("runs") + rowCount("datasets") + rowCount("carbon")).isZero();
        assertThat(text(By.id("budget"))).isEmpty();
    }

    /**
     * Runs come 100 to a page: "More runs" adds the next page below them (once, however often it is clicked), and goes
     * once there is none. Energy and
     * CO2e of 1,000 units and more move to the next unit (1.23 MWh, not 1.23e+3 kWh).
     */
    @Test
    void moreRunsAddsTheNextPageAndLargeFiguresTakeTheNextUnit() {
        String team = newTeam();
        String token = newMember(team, "ADMIN");
        newPenguins(token, team, "penguins");
        newExperiment(token, team, "baseline");
        trainedInFrance(token, team, "baseline", 1234.5);
        for (int i = 0; i < 100; i++) {
            as(token)
                    .body(Map.of("experiment", "baseline", "name", "run-" + i))
                    .post("/api/v1/teams/{t}/runs", team)
                    .then()
                    .statusCode(201);
        }
        signIn(token);
        waitForRows("runs", 100);
        assertThat(browser.findElement(By.id("more")).isDisplayed()).isTrue();
        waitForRows("carbon", 1);
        assertThat(cells("carbon").get(0).get(1)).isEqualTo("1.23 MWh");

        // A double click adds the page once.
        browser.executeScript("const more = document.getElementById('more'); more.click(); more.click();");
        waitForRows("runs", 101);
        assertThat(cells("runs")).anySatisfy(row -> assertThat(row.get(5)).isEqualTo("1.23 MWh"));
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(b -> !b.findElement(By.id("more")).isDisplayed());
        browser.executeAsyncScript("setTimeout(arguments[arguments.length - 1], 500)");
        assertThat(rowCount("runs")).isEqualTo(101);
    }

    @Test
    void namesAreShownAsTextNeverAsMarkup() {
        String team = newTeam();
        String token = newMember(team, "ADMIN");
        newExperiment(token, team, "baseline");
        String name = "<img src=x onerror=\"window.injected=1\">";
        as(token)
                .body(Map.of("experiment", "baseline", "name", name))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201);
        signIn(token);
        waitForRows("runs", 1);
        assertThat(cells("runs").get(0).get(0)).isEqualTo(name);
        assertThat(browser.findElements(By.cssSelector("#runs img"))).isEmpty();
        assertThat(browser.executeScript("return window.injected === undefined"))
                .isEqualTo(true);
    }

    @Test
    void anErrorPageThatIsNoJsonShowsItsStatus() {
        // A proxy in front of the platform answering with its own HTML page.
        browser.executeScript("window.fetch = () => Promise.resolve(new Response('<html>down</html>',"
                + " {status: 502, statusText: 'Bad Gateway', headers: {'Content-Type': 'text/html'}}))");
        signIn("any-token");
        waitForText(By.id("error"), "502 Bad Gateway");
    }

    /** A tracked run named after its experiment, RUNNING, with acc at step 1; returns its name. */
    private static String tracked(String token, String team, String experiment, double acc) {
        newExperiment(token, team, experiment);
        String name = unique("run");
        String id = as(token)
                .body(Map.of("experiment", experiment, "name", name))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(token)
                .body(Map.of("points", List.of(Map.of("key", "acc", "step", 1, "value", acc))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, id)
                .then()
                .statusCode(200);
        return name;
    }

    /** A penguins run of {@code experiment} trained by a (fake) runner in France that used {@code kwh}. */
    private static void trainedInFrance(String token, String team, String experiment, double kwh) {
        String id = queueSpecies(token, team, experiment, Map.of());
        FakeRunner runner =
                FakeRunner.register(FakeRunner.runnerToken(token, team), unique("runner"), 0, Map.of("zone", "FR"));
        assertThat(runner.claim(0, 0)).containsEntry("runId", id);
        runner.complete(id, 1, energy(60, part("CPU", null, "model", kwh * 3_600_000.0)))
                .then()
                .statusCode(204);
    }

    private void signIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#login button")).click();
    }

    private void search(String filter) {
        WebElement field = browser.findElement(By.id("filter"));
        field.clear();
        field.sendKeys(filter);
        browser.findElement(By.cssSelector("#search button")).click();
    }

    private void choose(String team) {
        new Select(browser.findElement(By.id("team"))).selectByValue(team);
    }

    private String text(By by) {
        return browser.findElement(by).getText();
    }

    private void waitForText(By by, String text) {
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(b -> text.equals(b.findElement(by).getText()));
    }

    /** Waits until the first run shown is {@code name} (a switch of teams empties the table first). */
    private void waitForFirstRun(String name) {
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(b -> {
            List<List<String>> runs = cells("runs");
            return !runs.isEmpty() && runs.get(0).get(0).equals(name);
        });
    }

    private void waitForRows(String table, int count) {
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(b -> rowCount(table) == count);
    }

    private int rowCount(String table) {
        return browser.findElements(By.cssSelector("#" + table + " tbody tr")).size();
    }

    @SuppressWarnings("unchecked")
    private List<List<String>> cells(String table) {
        return (List<List<String>>) ((JavascriptExecutor) browser)
                .executeScript(
                        "return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]"
                                + ".map((tr) => [...tr.cells].map((td) => td.textContent))",
                        table);
    }
}
