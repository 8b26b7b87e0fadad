package dev.canopy.api.carbon;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/**
 * A runner's cumulative energy reading for one run attempt (or for its time without a run): everything since the
 * meter began, per component, device and method. Readings only grow; a repeated or older one changes nothing.
 *
 * @param since when the runner's meter began (its clock, for the record)
 * @param at when it read (its clock)
 * @param seconds metered time since {@code since}, on the runner's monotonic clock
 */
@JsonIgnoreProperties(ignoreUnknown = true) // sent by runners, which may be of another release
public record EnergyReport(
        @NotNull Instant since,
        @NotNull Instant at,
        @DecimalMin("0") @DecimalMax("1e9") double seconds,
        @NotNull @Size(max = 256) List<@Valid @NotNull Part> components) {

    /**
     * @param device the NVML index of a GPU (its CUDA index when the runner could not load NVML); null for CPU and
     *     RAM
     * @param joules null exactly when {@code method} is {@code unmeasured}
     * @param detail how it was measured (constants, sample period, uncertainty), or why it could not be
     */
    @JsonIgnoreProperties(ignoreUnknown = true) // sent by runners, which may be of another release
    public record Part(
            @NotNull @Pattern(regexp = "GPU|CPU|RAM", message = "must be GPU, CPU or RAM") String component,
            @Min(0) @Max(1023) Integer device,
            @Size(max = 200) String deviceName,
            @NotNull
                    @Pattern(
                            regexp = "counter|power-integral|rapl|model|unmeasured",
                            message = "must be counter, power-integral, rapl, model or unmeasured")
                    String method,
            @DecimalMin("0") @DecimalMax("1e15") Double joules,
            @Size(max = 1000) String detail) {

        boolean measured() {
            return !"unmeasured".equals(method);
        }

        int deviceKey() {
            return device == null ? -1 : device;
        }
    }
}
