import XCTest
import FormatKit
@testable import X12

final class TreeTests: XCTestCase {
    func testElementsComponentsAndRepetitions() throws {
        let text = interchange4010(body: ["BEG*00*SA*PO-1**20240102", "SLN*1**I*2*EA>1>2"])
            .replacingOccurrences(of: "*U*00401*", with: "*^*00501*")
            .replacingOccurrences(of: "EA>1>2", with: "EA>1>2^KG")
        let unit = try XCTUnwrap(try units(text).first)
        XCTAssertEqual(unit.name, "transaction")
        XCTAssertEqual(unit.children.map(\.name), ["ISA", "GS", "ST", "BEG", "SLN", "SE"])
        XCTAssertEqual(unit.child("ISA")?["06"], "SENDER         ", "ISA fields keep their padding")
        XCTAssertEqual(unit.child("BEG")?["03"], "PO-1")
        XCTAssertNil(unit.child("BEG")?.child("04"), "empty elements are left out")
        let sln = try XCTUnwrap(unit.child("SLN"))
        XCTAssertEqual(sln.children(named: "05").map(\.value), ["EA>1>2", "KG"])
        XCTAssertEqual(sln.child("05")?.children.map(\.value), ["EA", "1", "2"])
        XCTAssertEqual(unit.child("BEG")?.line, 4)
    }

    func testPurchaseOrderLoops() throws {
        let text = interchange4010(body: [
            "BEG*00*SA*PO-1**20240102", "N1*BY*Buyer Inc*92*B1", "N3*1 Main St", "N4*Springfield*IL*62701",
            "N1*ST*Dock 4", "PO1*1*10*EA*2.50**BP*B-77*VP*V-88", "PID*F****Widget", "N1*ST*Line ship-to",
            "PO1*2*1*CA*9**VP*V-99", "CTT*2",
        ])
        let unit = try XCTUnwrap(try units(text).first)
        XCTAssertEqual(unit.children.map(\.name), ["ISA", "GS", "ST", "BEG", "N1", "N1", "PO1", "PO1", "CTT", "SE"])
        let buyer = unit.children(named: "N1")[0]
        XCTAssertEqual(buyer.children.map(\.name), ["01", "02", "03", "04", "N3", "N4"])
        XCTAssertEqual(buyer.child("N4")?["02"], "IL")
        let line = unit.children(named: "PO1")[0]
        XCTAssertEqual(line.child("PID")?["05"], "Widget")
        XCTAssertEqual(line.child("N1")?["02"], "Line ship-to", "an N1 inside a PO1 loop stays in it")
        XCTAssertEqual(line.child("ids")?["BP"], "B-77")
        XCTAssertEqual(unit.children(named: "PO1")[1].child("ids")?["VP"], "V-99")
    }

    func testShipNoticeHierarchyNestsByParent() throws {
        let text = interchange4010("856", body: [
            "BSN*00*SHIP1*20240102*1200", "HL*1**S", "TD5*B*2*UPSN", "N1*ST*Store 9", "N3*9 Elm",
            "HL*2*1*O", "PRF*PO-1", "HL*3*2*P", "MAN*GM*00012345678901234567", "HL*4*3*I", "LIN**VP*V-88", "SN1**10*EA",
            "HL*5*2*I", "LIN**VP*V-99", "SN1**1*CA", "CTT*5",
        ])
        let unit = try XCTUnwrap(try units(text).first)
        XCTAssertEqual(unit.children.map(\.name), ["ISA", "GS", "ST", "BSN", "HL", "CTT", "SE"])
        let shipment = try XCTUnwrap(unit.child("HL"))
        XCTAssertEqual(shipment.child("N1")?.child("N3")?["01"], "9 Elm")
        let order = try XCTUnwrap(shipment.child("HL"))
        XCTAssertEqual(order["03"], "O")
        XCTAssertEqual(order.child("PRF")?["01"], "PO-1")
        XCTAssertEqual(order.children(named: "HL").map { $0["03"] }, ["P", "I"])
        let pack = order.children(named: "HL")[0]
        XCTAssertEqual(pack.child("HL")?.child("LIN")?.child("ids")?["VP"], "V-88")
        XCTAssertEqual(pack.child("HL")?.child("SN1")?["02"], "10")
    }

    func testAcknowledgmentLoops() throws {
        let text = interchange4010("997", body: ["AK1*PO*77", "AK2*850*0001", "AK3*N1*4**8", "AK4*2*93*1", "AK5*R*5", "AK9*R*1*1*0"])
        let unit = try XCTUnwrap(try units(text).first)
        let ak2 = try XCTUnwrap(unit.child("AK2"))
        XCTAssertEqual(ak2.child("AK3")?.child("AK4")?["03"], "1")
        XCTAssertEqual(ak2.child("AK5")?["01"], "R")
        XCTAssertEqual(unit.child("AK9")?["01"], "R")
    }
}
