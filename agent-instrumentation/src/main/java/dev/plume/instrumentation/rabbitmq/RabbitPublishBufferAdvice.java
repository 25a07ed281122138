package dev.plume.instrumentation.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.impl.ChannelN;
import dev.plume.bootstrap.messaging.MessagingSpans;
import dev.plume.bootstrap.messaging.RabbitMqSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into the {@code ByteBuffer} {@code basicPublish} of amqp-client 5.30 and later (which does not go through
 * the {@code byte[]} one), as {@link RabbitPublishAdvice}; its {@code WriteListener} is not referenced, so the advice
 * fits older clients too (they have no such method to weave).
 */
public final class RabbitPublishBufferAdvice {
    private RabbitPublishBufferAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.This ChannelN channel, @Advice.Argument(0) String exchange,
                                 @Advice.Argument(1) String routingKey,
                                 @Advice.Argument(value = 4, readOnly = false) AMQP.BasicProperties props,
                                 @Advice.Argument(5) java.nio.ByteBuffer body) {
        if (Tracer.enterCall(InstrumentationScope.RABBITMQ) > 0) {
            return null;
        }
        if (!RabbitMqSpans.knowsBroker(channel)) {
            Connection connection = ((com.rabbitmq.client.Channel) channel).getConnection();
            RabbitMqSpans.broker(channel, connection.getAddress(), connection.getPort());
        }
        SpanSlot span = RabbitMqSpans.startPublish(InstrumentationScope.RABBITMQ, channel, exchange, routingKey,
            body == null ? -1 : body.remaining());
        if (span != null) {
            try {
                AMQP.BasicProperties p = props != null ? props : MessageProperties.MINIMAL_BASIC;
                props = new AMQP.BasicProperties(p.getContentType(), p.getContentEncoding(),
                    RabbitMqSpans.headersWith(p.getHeaders(), span), p.getDeliveryMode(), p.getPriority(),
                    p.getCorrelationId(), p.getReplyTo(), p.getExpiration(), p.getMessageId(), p.getTimestamp(),
                    p.getType(), p.getUserId(), p.getAppId(), p.getClusterId());
            } catch (Throwable ignored) {
                // the message goes out as the application built it
            }
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Thrown Throwable error) {
        MessagingSpans.exitCall(InstrumentationScope.RABBITMQ, span, error);
    }
}
