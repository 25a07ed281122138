package dev.plume.instrumentation.rabbitmq;

import dev.plume.bootstrap.messaging.RabbitMqSpans;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code ChannelN#basicCancel(consumerTag)}: the tag's queue is forgotten. */
public final class RabbitCancelAdvice {
    private RabbitCancelAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) String consumerTag) {
        RabbitMqSpans.cancelled(consumerTag);
    }
}
