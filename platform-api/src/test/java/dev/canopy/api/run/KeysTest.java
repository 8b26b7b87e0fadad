package dev.canopy.api.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void aKeyIsOneTo250CharactersWithoutControlsOrHalvesOfACharacter() {
        assertThat(Keys.valid("val/loss@epoch 3")).isTrue();
        assertThat(Keys.valid("accuracy \uD83D\uDE00")).isTrue();
        assertThat(Keys.valid("x".repeat(250))).isTrue();

        assertThat(Keys.valid("")).isFalse();
        assertThat(Keys.valid("  ")).isFalse();
        assertThat(Keys.valid("x".repeat(251))).isFalse();
        assertThat(Keys.valid("a\tb")).isFalse();
        assertThat(Keys.valid("\uD800")).isFalse();
        assertThat(Keys.valid("loss\uD83D")).isFalse();
        assertThat(Keys.valid("\uDE00loss")).isFalse();
        assertThat(Keys.valid("\uD83D\uD83D\uDE00")).isFalse();
    }
}
