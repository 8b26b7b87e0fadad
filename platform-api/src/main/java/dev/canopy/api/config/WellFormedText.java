package dev.canopy.api.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * Text in a request body must be whole characters. JSON can spell half of one (an unpaired surrogate, such as the
 * escape of U+D800 alone), which Java holds but PostgreSQL cannot: the driver stores it as '?', so a name, parameter
 * or tag would be stored as something other than what was sent. Every string value a request body holds is checked
 * as it is read, and such text is refused with 400 naming the field. (Field names and map keys Jackson's parser
 * already refuses.)
 */
public final class WellFormedText {

    /** What text must be, for error messages. */
    public static final String RULE = "must not hold half a character (an unpaired surrogate such as \\uD800)";

    private WellFormedText() {}

    /** Whether {@code text} has a surrogate without its other half. */
    public static boolean hasUnpairedSurrogate(CharSequence text) {
        for (int c = 0; c < text.length(); c++) {
            char at = text.charAt(c);
            if (Character.isSurrogate(at)) {
                boolean paired = Character.isHighSurrogate(at)
                        && c + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(c + 1));
                if (!paired) {
                    return true;
                }
                c++;
            }
        }
        return false;
    }

    /** The checks, for the control plane's JSON mapper. */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("well-formed-text");
        module.addDeserializer(String.class, new CheckedStrings());
        return module;
    }

    private static final class CheckedStrings extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = super.deserialize(parser, context);
            if (text != null && hasUnpairedSurrogate(text)) {
                throw JsonMappingException.from(parser, RULE);
            }
            return text;
        }
    }
}
