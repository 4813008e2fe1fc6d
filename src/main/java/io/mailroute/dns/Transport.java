package io.mailroute.dns;

/** How a DNS answer reached us. */
public enum Transport {
    UDP,
    TCP
}
