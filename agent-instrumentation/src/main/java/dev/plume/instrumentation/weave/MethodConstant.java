package dev.plume.instrumentation.weave;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds an {@code int} advice parameter to a constant the rewrite chooses for each woven method
 * ({@link AdviceWeaver.MethodAdvice#constantFor}): one advice class serves many methods that each need their own facts
 * (a span name, a kind), kept in a registry the constant indexes. The woven code pushes the number; nothing is looked
 * up by name at run time. Retained at run time only so that ByteBuddy's custom mappings can bind it in tests.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface MethodConstant {
}
