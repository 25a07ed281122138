package dev.plume.bootstrap.context;

/**
 * Implemented, through a field the agent adds when the class is first loaded, by classes whose objects carry a trace
 * context from one thread to another (a task captured where it was submitted, attached where it runs). Classes that were
 * already loaded when the agent started cannot get a field; their objects use {@link TaskContexts}' weak map instead.
 * Application code never sees these methods.
 */
public interface ContextCarrier {
    Object plume$getContext();

    void plume$setContext(Object context);
}
