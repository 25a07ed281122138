package dev.plume.smoke.boot3;

/** Thrown for an owner that does not exist; {@link OwnerController} answers it with 404. */
class OwnerNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    OwnerNotFoundException(String message) {
        super(message);
    }
}
