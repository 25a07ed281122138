package dev.plume.smoke.annotations;

/** Implements the listed interface: {@code charge} gets a span named {@code CardGateway.charge}. */
public class CardGateway implements PaymentGateway {
    private final Audit audit;

    public CardGateway(Audit audit) {
        this.audit = audit;
    }

    @Override
    public String charge(String card, long cents) {
        audit.record(card);
        audit.flush();
        return card + " " + cents;
    }
}
