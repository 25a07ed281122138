package dev.plume.smoke.undertow;

/** Thrown for an owner that does not exist; {@link HandledErrorServlet} answers it with 404. */
final class OwnerNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    OwnerNotFoundException(String message) {
        super(message);
    }
}
