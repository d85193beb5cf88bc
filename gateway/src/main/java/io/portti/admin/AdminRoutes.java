package io.portti.admin;

import io.portti.http.Credentials;
import org.apache.pekko.http.javadsl.server.Route;

/** /v1/admin/*: every feature's management routes, behind the management key. */
public final class AdminRoutes extends AdminDirectives {
  private final ManagementKey managementKey;
  private final Route features;

  public AdminRoutes(ManagementKey managementKey, Route features) {
    this.managementKey = managementKey;
    this.features = features;
  }

  public Route route() {
    return pathPrefix("v1", () -> pathPrefix("admin", () -> extractRequest(request -> {
      if (!managementKey.matches(Credentials.bearer(request).orElse(null))) {
        return complete(error(401, "invalid_request_error", "invalid_management_key",
            "A valid management key is required: Authorization: Bearer <key>."));
      }
      return features;
    })));
  }
}
