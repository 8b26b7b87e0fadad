package dev.canopy.api.config;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Metric batches are mostly decimals: the fast double parser reads them several times faster than the JDK's. A
 * fraction for a whole-number field ({@code "priority": 1.5}) is refused rather than rounded down, a field given twice
 * in one object is refused rather than the last one silently winning, and so are a field the request does not have
 * (a misspelt {@code "gate"} would promote with no gate), text after the JSON value, and text where a number or
 * true/false belongs, and text holding half a character ({@link WellFormedText}). Runner messages ignore unknown
 * fields on purpose ({@code WorkerRecords}).
 */
@Singleton
class JacksonCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.registerModule(WellFormedText.module());
        // Text is not a number or a yes/no: "canaryPercent": "10" or "shadow": "true" is refused rather than read.
        for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
    }
}
