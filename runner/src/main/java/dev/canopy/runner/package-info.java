/**
 * Doing the ML work: training recipes on DJL, inference (predictor pools, batching), energy meters (NVML,
 * RAPL, models) and the worker loop that talks to the control plane over HTTP. Runs standalone or embedded
 * in the control plane. Packages holding ML code know nothing of HTTP or Quarkus.
 */
package dev.canopy.runner;
