package dev.plume.instrumentation.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.plume.bootstrap.messaging.MessagingSpans;
import dev.plume.bootstrap.messaging.RabbitMqSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into every {@code Consumer#handleDelivery(consumerTag, envelope, properties, body)}: the outermost one on
 * the thread is a CONSUMER process span, a child of the context the publisher wrote into the message's headers, current
 * while the consumer works (a consumer delegating to another, or to {@code super}, makes one span).
 */
public final class RabbitDeliveryAdvice {
    private RabbitDeliveryAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(0) String consumerTag, @Advice.Argument(1) Envelope envelope,
                                 @Advice.Argument(2) AMQP.BasicProperties properties, @Advice.Argument(3) byte[] body) {
        if (Tracer.enterCall(InstrumentationScope.RABBITMQ_DELIVERY) > 0) {
            return null;
        }
        return RabbitMqSpans.startProcess(InstrumentationScope.RABBITMQ, consumerTag,
            envelope == null ? null : envelope.getExchange(), envelope == null ? null : envelope.getRoutingKey(),
            envelope == null ? -1 : envelope.getDeliveryTag(), body == null ? -1 : body.length,
            RabbitMqSpans.headerValues(properties == null ? null : properties.getHeaders()));
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Thrown Throwable error) {
        MessagingSpans.exitCall(InstrumentationScope.RABBITMQ_DELIVERY, span, error);
    }
}
