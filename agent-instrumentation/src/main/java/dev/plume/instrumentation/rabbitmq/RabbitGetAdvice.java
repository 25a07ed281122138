package dev.plume.instrumentation.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.impl.ChannelN;
import dev.plume.bootstrap.messaging.RabbitMqSpans;
import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code ChannelN#basicGet(queue, autoAck)}: a CONSUMER receive span for a message (or a failure), from
 * the call to its answer; nothing when the queue was empty.
 */
public final class RabbitGetAdvice {
    private RabbitGetAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter() {
        return Tracer.enterCall(InstrumentationScope.RABBITMQ) > 0 ? 0 : EpochClock.nowEpochNanos();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Argument(0) String queue,
                            @Advice.Return GetResponse response, @Advice.Thrown Throwable error,
                            @Advice.Enter long started) {
        try {
            if (started != 0 && (response != null || error != null)) {
                if (!RabbitMqSpans.knowsBroker(channel)) {
                    Connection connection = ((com.rabbitmq.client.Channel) channel).getConnection();
                    RabbitMqSpans.broker(channel, connection.getAddress(), connection.getPort());
                }
                Envelope envelope = response == null ? null : response.getEnvelope();
                byte[] body = response == null ? null : response.getBody();
                RabbitMqSpans.received(InstrumentationScope.RABBITMQ, channel, queue,
                    envelope == null ? null : envelope.getExchange(), envelope == null ? null : envelope.getRoutingKey(),
                    envelope == null ? -1 : envelope.getDeliveryTag(), body == null ? -1 : body.length,
                    response == null || response.getProps() == null ? null : response.getProps().getHeaders(), error,
                    started);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.RABBITMQ);
        }
    }
}
