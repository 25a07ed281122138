package dev.plume.instrumentation.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.impl.ChannelN;
import dev.plume.bootstrap.messaging.RabbitMqSpans;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code ChannelN#basicConsume(queue, autoAck, consumerTag, noLocal, exclusive, arguments, consumer)},
 * where every {@code basicConsume} ends: the consumer tag the broker answered reads {@code queue}, which its deliveries
 * do not name.
 */
public final class RabbitConsumeAdvice {
    private RabbitConsumeAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Argument(0) String queue,
                            @Advice.Return String consumerTag) {
        if (!RabbitMqSpans.knowsBroker(channel)) {
            Connection connection = ((com.rabbitmq.client.Channel) channel).getConnection();
            RabbitMqSpans.broker(channel, connection.getAddress(), connection.getPort());
        }
        RabbitMqSpans.consuming(channel, consumerTag, queue);
    }
}
