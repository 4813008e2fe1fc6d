package io.mailroute.dns;

/**
 * A (name, type) map key for the engine's per-server maps (cache, questions in flight, kept
 * results). Not a record: a record's equals and hashCode go through method handles, which the
 * operator image's C1-only JIT (-XX:TieredStopAtLevel=1) does not inline, and a cold check looks up
 * about ten of these; the hash is computed once here.
 */
final class QuestionKey {
    final DomainName name;
    final int type;
    private final int hash;

    QuestionKey(DomainName name, int type) {
        this.name = name;
        this.type = type;
        this.hash = name.hashCode() * 31 + type;
    }

    @Override
    public boolean equals(Object o) {
        return o == this
                || (o instanceof QuestionKey k
                        && k.hash == hash
                        && k.type == type
                        && (k.name == name || k.name.equals(name)));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return name + "/" + type;
    }
}
