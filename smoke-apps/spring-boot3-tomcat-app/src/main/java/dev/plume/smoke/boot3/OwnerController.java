package dev.plume.smoke.boot3;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Routes with path variables, whose templates a span should name, and an exception that a handler turns into 404. */
@RestController
class OwnerController {

    @GetMapping("/owners/{ownerId}")
    public String owner(@PathVariable("ownerId") String ownerId) {
        return "owner " + ownerId;
    }

    @GetMapping("/owners/{ownerId}/pets/{petId}")
    public String pet(@PathVariable("ownerId") String ownerId, @PathVariable("petId") String petId) {
        return "owner " + ownerId + " pet " + petId;
    }

    @GetMapping("/handled")
    public String unknownOwner() {
        throw new OwnerNotFoundException("no owner is registered at /handled");
    }

    @ExceptionHandler(OwnerNotFoundException.class)
    public ResponseEntity<String> ownerNotFound(OwnerNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body("owner not found");
    }
}
