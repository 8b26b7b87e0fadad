package dev.canopy.api.error;

import java.net.URI;
import org.jboss.resteasy.reactive.RestResponse;

/** 201 Created with the new resource's {@code Location} and its representation. */
public final class Created {

    private Created() {}

    public static <T> RestResponse<T> at(URI location, T body) {
        return RestResponse.ResponseBuilder.<T>created(location).entity(body).build();
    }
}
