package chtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestStartAnswersQueries(t *testing.T) {
	addr := Start(t)
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var one uint8
	if err := conn.QueryRow(context.Background(), "SELECT toUInt8(1)").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
}

// TestZooKeeperServesClickHouse: a server configured with the throwaway
// ZooKeeper reads it (system.zookeeper) and runs an ON CLUSTER statement
// through the distributed DDL queue.
func TestZooKeeperServesClickHouse(t *testing.T) {
	start := time.Now()
	zk := StartZooKeeper(t)
	t.Logf("zookeeper served %s after start", time.Since(start))
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	remote := fmt.Sprintf(`<remote_servers><one><shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard></one></remote_servers>`, port)
	srv, err := StartServerWith(t.TempDir(), Options{TCPPort: port, Extra: zk.ClickHouseXML() + remote})
	if err != nil {
		if errors.Is(err, ErrNoBinary) && !Required() {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	defer srv.Close()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.zookeeper WHERE path = '/'").Scan(&n); err != nil || n == 0 {
		t.Fatalf("system.zookeeper at /: %d nodes, %v\nzookeeper log:\n%s", n, err, zk.Log())
	}
	if err := conn.Exec(ctx, "CREATE DATABASE zk_probe ON CLUSTER one"); err != nil {
		t.Fatalf("ON CLUSTER: %v", err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = 'zk_probe'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("database made ON CLUSTER: %d, %v", n, err)
	}
}
