package io.portti.billing;

import io.portti.CborSerializable;

/** What one relayed request cost, as settled against its key and account: metadata only. */
public record RequestCharge(
    String requestId,
    String accountId,
    String keyId,
    String channelId,
    String model,
    String endpoint,
    int promptTokens,
    int completionTokens,
    long costNanos,
    String status,
    int tries,
    long at) implements CborSerializable {

  public RequestCharge withAccount(String account) {
    return account.equals(accountId) ? this : new RequestCharge(requestId, account, keyId, channelId, model, endpoint,
        promptTokens, completionTokens, costNanos, status, tries, at);
  }
}
