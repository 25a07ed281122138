package dev.plume.smoke.jakarta;

/** Thrown for an owner that does not exist; {@link HandledErrorServlet} answers it with 404. */
public final class OwnerNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OwnerNotFoundException(String message) {
        super(message);
    }
}
